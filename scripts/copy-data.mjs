// `tsc` compiles code only: the reference data the compiled processes read at start-up (holiday calendars,
// benefit catalogue) and the static pages the API serves are copied beside it, so that dist/ runs on its own.
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const dir of ['domain/calendars', 'domain/catalogue', 'api/public']) {
  const target = path.join(root, 'dist', dir);
  rmSync(target, { recursive: true, force: true });
  cpSync(path.join(root, dir), target, { recursive: true });
}
