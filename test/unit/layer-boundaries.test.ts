/**
 * The layers point down only (eslint.boundaries.mjs, applied by `npm run lint`): each deliberate violation
 * below, linted as if it were a file of the layer, must be refused by the rule that names it, and the imports
 * each layer is meant to make must pass. Linted in a child process: ESLint and its plugins are ES modules.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

interface Case {
  /** Where the file would be, from the repository root. */
  file: string;
  code: string;
}

/** Lints each case's code as the file it names, with the boundary rules only; the rule ids each one broke. */
function lint(cases: Case[]): string[][] {
  const script = `
    import { ESLint } from 'eslint';
    import tseslint from 'typescript-eslint';
    import { boundaries } from './eslint.boundaries.mjs';
    const eslint = new ESLint({
      cwd: process.cwd(),
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts'],
          languageOptions: { parser: tseslint.parser },
          plugins: { '@typescript-eslint': tseslint.plugin },
          settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
        },
        ...boundaries,
      ],
    });
    const cases = JSON.parse(process.argv[1]);
    const out = [];
    for (const c of cases) {
      const [result] = await eslint.lintText(c.code, { filePath: c.file });
      out.push(result.messages.map((m) => m.ruleId ?? m.message));
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const stdout = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify(cases)],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  return JSON.parse(stdout) as string[][];
}

const ZONE = 'import-x/no-restricted-paths';
const PATTERN = '@typescript-eslint/no-restricted-imports';

describe('layer boundaries (eslint.boundaries.mjs)', () => {
  const refused: [string, Case, string][] = [
    [
      'domain imports nothing outside domain, not even a type',
      {
        file: 'domain/x.ts',
        code: "import type { Activities } from '../activities';\nexport type A = Activities;",
      },
      ZONE,
    ],
    [
      'domain does not import the database client',
      {
        file: 'domain/x.ts',
        code: "import { Prisma } from '../generated/prisma/client';\nexport const p = Prisma;",
      },
      ZONE,
    ],
    [
      'an adapter does not import workflows',
      {
        file: 'adapters/temporal/x.ts',
        code: "import { statusQuery } from '../../workflows/messages';\nexport const q = statusQuery;",
      },
      ZONE,
    ],
    [
      'an adapter does not import the worker',
      {
        file: 'adapters/x.ts',
        code: "import { SHARED_WORKFLOW_MODULES } from '../worker/bundle-options';\nexport const m = SHARED_WORKFLOW_MODULES;",
      },
      ZONE,
    ],
    [
      'an adapter does not import services',
      {
        file: 'adapters/x.ts',
        code: "import { fileApplication } from '../services/filing';\nexport const f = fileApplication;",
      },
      ZONE,
    ],
    [
      'the API does not import activities',
      {
        file: 'api/features/x/router.ts',
        code: "import { createActivities } from '../../../activities';\nexport const a = createActivities;",
      },
      ZONE,
    ],
    [
      'a route does not reach an adapter at run time',
      {
        file: 'api/features/x/router.ts',
        code: "import { allocateApplicationNumber } from '../../../adapters/db/application-numbers';\nexport const a = allocateApplicationNumber;",
      },
      PATTERN,
    ],
    [
      'a service does not import the API',
      {
        file: 'services/x.ts',
        code: "import { AppError } from '../api/errors';\nexport const e = AppError;",
      },
      ZONE,
    ],
    [
      'a workflow does not import an activity at run time',
      {
        file: 'workflows/application/x.ts',
        code: "import { createActivities } from '../../activities';\nexport const a = createActivities;",
      },
      PATTERN,
    ],
    [
      'a workflow does no I/O through adapters',
      {
        file: 'workflows/x.ts',
        code: "import { createPrisma } from '../adapters/db/prisma';\nexport const p = createPrisma;",
      },
      ZONE,
    ],
    [
      'a benchmark does not import test code',
      {
        file: 'bench/x.ts',
        code: "import { runCase } from '../test/helpers/lifecycle';\nexport const r = runCase;",
      },
      ZONE,
    ],
  ];

  const allowed: [string, Case][] = [
    [
      'a workflow imports the activities as types',
      {
        file: 'workflows/application/x.ts',
        code: "import type { Activities } from '../../activities';\nexport type A = Activities;",
      },
    ],
    [
      'a service imports adapters, domain and the workflow messages',
      {
        file: 'services/x.ts',
        code:
          "import { CaseClient } from '../adapters/temporal/case-client';\nimport { AppError } from '../domain/errors';\n" +
          "import { statusQuery } from '../workflows/messages';\nexport const all = [CaseClient, AppError, statusQuery];",
      },
    ],
    [
      'a route names an adapter’s type and calls a service',
      {
        file: 'api/features/x/router.ts',
        code:
          "import type { CaseClient } from '../../../adapters/temporal/case-client';\n" +
          "import { fileApplication } from '../../../services/filing';\nexport const f: [typeof fileApplication, CaseClient?] = [fileApplication];",
      },
    ],
    [
      'an activity imports adapters',
      {
        file: 'activities/x.ts',
        code: "import { createMailer } from '../adapters/channels/mail';\nexport const m = createMailer;",
      },
    ],
  ];

  let results: string[][];
  beforeAll(() => {
    results = lint([...refused.map(([, c]) => c), ...allowed.map(([, c]) => c)]);
  });

  it.each(refused.map(([name, , rule], i) => [name, rule, i] as const))(
    'refuses: %s (%s)',
    (_name, rule, i) => {
      expect(results[i]).toContain(rule);
    },
  );

  it.each(allowed.map(([name], i) => [name, i + refused.length] as const))('allows: %s', (_name, i) => {
    expect(results[i]).toEqual([]);
  });
});
