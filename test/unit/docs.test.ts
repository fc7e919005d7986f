/**
 * The README and docs/ tell the truth about the tree: every repository path they write in backticks exists,
 * every relative link reaches a file, the README's folder map names every top-level folder of the repository
 * and only folders that exist, and the README stays a landing page (at most 20 KB).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

function markdownFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) return markdownFiles(rel);
    return name.endsWith('.md') ? [rel] : [];
  });
}

const PAGES = ['README.md', ...markdownFiles('docs')];

/** The repository's files as git knows them (what a fresh clone has), and its top-level folders. */
const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
const trackedFolders = [
  ...new Set(tracked.filter((f) => f.includes('/')).map((f) => f.split('/')[0]!)),
].sort();
const trackedNames = new Set(tracked.map((f) => path.basename(f)));

/** A backticked token that names a file or folder of the repository (not a command, URL or placeholder). */
function repositoryPaths(text: string): string[] {
  const tokens = [...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!);
  return tokens.filter((t) => {
    // Placeholders, URLs and URL paths (`/health`) are not files.
    if (/[<>*{}$…]|:\/\/|^\//.test(t)) return false;
    const first = t.split('/')[0]!;
    // A path under a folder of the repository, or a source or settings file named alone (`docker-compose.yml`).
    return t.includes('/')
      ? trackedFolders.includes(first)
      : /^[\w.-]+\.(ts|mjs|js|json|ya?ml|md|prisma)$/.test(t);
  });
}

describe('README and docs/', () => {
  it('finds the pages and the folders to check', () => {
    expect(PAGES.length).toBeGreaterThan(5);
    expect(trackedFolders).toEqual(expect.arrayContaining(['api', 'domain', 'services', 'workflows']));
  });

  it.each(PAGES)('%s names only paths that exist', (page) => {
    // A file named alone (`router.ts` of every feature) must be a file of the repository somewhere.
    const missing = repositoryPaths(read(page)).filter((p) =>
      p.includes('/')
        ? !existsSync(path.join(root, p))
        : !trackedNames.has(p) && !existsSync(path.join(root, p)),
    );
    expect(missing).toEqual([]);
  });

  it.each(PAGES)('%s links only to files that exist', (page) => {
    const links = [...read(page).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((l) => !/^[a-z]+:/.test(l));
    const missing = links.filter((l) => !existsSync(path.join(root, path.dirname(page), l)));
    expect(missing).toEqual([]);
  });

  it('maps every top-level folder of the repository, and only folders that exist', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Folder map'), readme.indexOf('## Where to go next'));
    const mapped = [...section.matchAll(/^- \*\*`([^`]+)\/`\*\*/gm)].map((m) => m[1]!).sort();
    expect(mapped.length).toBeGreaterThan(0);
    for (const folder of mapped) expect(existsSync(path.join(root, folder))).toBe(true);
    expect(trackedFolders.filter((f) => !mapped.includes(f))).toEqual([]);
  });

  it('keeps the README a landing page of at most 20 KB', () => {
    expect(Buffer.byteLength(read('README.md'))).toBeLessThanOrEqual(20 * 1024);
  });
});
