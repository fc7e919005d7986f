/**
 * `npm run bench [-- <name>... [--seconds N]]`: runs the benchmarks one after another, each in its own
 * process (so that one's memory and timers never colour the next), and stops at the first that fails.
 * Figures go to the console and to bench/results/<name>.json.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ALL = ['history', 'case-actions', 'reads', 'growth', 'timers', 'intake', 'capacity'];
const names = process.argv
  .slice(2)
  .filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const options = process.argv.slice(2).filter((a) => !names.includes(a));
const unknown = names.filter((n) => !ALL.includes(n));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${ALL.join(', ')}`);
  process.exit(64);
}
for (const name of names.length > 0 ? names : ALL) {
  console.log(`\n--- ${name} ---`);
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--expose-gc', path.join(__dirname, `${name}.ts`), ...options],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) process.exit(run.status ?? 1);
}
