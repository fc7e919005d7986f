import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/**
 * Runs scripts/dev/migrate.ts in a process of its own: it needs --experimental-wasm-modules, and it patches
 * pg's result parsing, which must not leak into the process that asks for the migration.
 * `out` is the standard output, with standard error added when it failed.
 */
export function runMigrator(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { code: number; out: string } {
  const res = spawnSync(
    process.execPath,
    ['--experimental-wasm-modules', '--no-warnings', '--import', 'tsx', 'scripts/dev/migrate.ts', ...args],
    { cwd: root, encoding: 'utf8', env },
  );
  const code = res.status ?? 1;
  return { code, out: code === 0 ? res.stdout : `${res.stdout}${res.stderr}${res.error?.message ?? ''}` };
}
