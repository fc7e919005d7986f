// @ts-check
// The layers, and which way their imports may point: down only.
//
//   domain (pure)  ←  workflows (deterministic)
//   domain  ←  adapters (database, Temporal case client, channels, registries, codec, config)  ←  services  ←  api
//   adapters  ←  activities (the worker's I/O)  ←  worker
//
// Each rule says why when it fires. eslint.config.mjs applies these; test/unit/layer-boundaries.test.ts lints
// a deliberate violation of each against them and expects it refused.
import { importX } from 'eslint-plugin-import-x';

/** Project folders, as import-x resolves them (relative to the repository root). */
const ALL = [
  'workflows',
  'activities',
  'adapters',
  'services',
  'api',
  'worker',
  'scripts',
  'bench',
  'test',
  'simulator',
];
const but = (...keep) => ALL.filter((f) => !keep.includes(f)).map((f) => `./${f}`);

/** @type {{ target: string, from: string[], message: string }[]} */
export const ZONES = [
  {
    target: './domain',
    from: [...but(), './generated'],
    message:
      'domain/ is pure: rules and types only, importing nothing of the other layers (nor the database client).',
  },
  {
    target: './workflows',
    from: [...but('workflows', 'activities'), './generated'],
    message:
      'workflows/ run in Temporal’s deterministic sandbox: no I/O, so nothing of the layers that do it (activities are imported as types only, through proxyActivities).',
  },
  {
    target: './adapters',
    from: but('adapters'),
    message:
      'adapters/ reach the outside world and know no workflow, worker, service, activity or route: they are passed what they need (message definitions, search-attribute keys).',
  },
  {
    target: './services',
    from: ['./api', './activities', './worker', './scripts', './bench', './test', './simulator'],
    message:
      'services/ sit between the API and the adapters: they import domain, adapters and workflow messages only.',
  },
  {
    target: './activities',
    from: ['./api', './services', './worker', './scripts', './bench', './test', './simulator'],
    message: 'activities/ are the worker’s I/O: domain and adapters only.',
  },
  {
    target: './api',
    from: ['./activities', './scripts', './bench', './test', './simulator'],
    message: 'api/ reaches cases through services (and the workflow messages), never through activities.',
  },
  {
    target: './bench',
    from: ['./test'],
    message: 'Benchmarks do not import test code: share what both need from scripts/dev/.',
  },
  {
    target: './worker',
    from: ['./api', './services', './bench', './test'],
    message: 'worker/ runs workflows and activities; it knows nothing of the API.',
  },
];

/** The boundary rules, as flat-config objects (files are relative to the repository root). */
export const boundaries = [
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: ZONES }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // The activities layer (not workflows/application/activities.ts, the proxies).
              group: ['../activities', '../activities/*', '../../activities', '../../activities/*'],
              allowTypeImports: true,
              message: 'Workflows import activities as types only, through proxyActivities.',
            },
          ],
        },
      ],
    },
  },
  {
    // Routes parse, authorise, call one service and map its answer: adapters are reached through services
    // (their types may be named, e.g. in a router's dependencies).
    files: ['api/features/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/adapters/**', '**/generated/**'],
              allowTypeImports: true,
              message:
                'A route calls a service; adapters and the database client are reached through services.',
            },
          ],
        },
      ],
    },
  },
];
