/**
 * Counts the fuzz cases the property-based tests really ran (every execution of a property, shrinking
 * included) and writes them to test-artifacts/fuzz-counts.json, one entry per target (a later run of a test
 * file replaces that file's entries), so that a run can report how many cases each target took. Several Jest
 * workers write the file: a lock file serialises them.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

const DIR = path.resolve(__dirname, '..', '..', 'test-artifacts');
const FILE = path.join(DIR, 'fuzz-counts.json');
const LOCK = `${FILE}.lock`;

export interface FuzzCounts {
  /** Counts one case of `target`; call it at the start of the property. */
  hit(target: string): void;
  /** Writes this file's counts into test-artifacts/fuzz-counts.json (call in afterAll). */
  write(): void;
  readonly counts: Readonly<Record<string, number>>;
}

interface CountsFile {
  updatedAt: string;
  totalCases: number;
  /** target → { cases, file, at } */
  targets: Record<string, { cases: number; file: string; at: string }>;
}

function withLock(run: () => void): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      closeSync(openSync(LOCK, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock left by a killed run (older than five seconds) is removed, then taken as any other.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 5000) rmSync(LOCK, { force: true });
      } catch {
        // released meanwhile
      }
      Atomics.wait(sleeper, 0, 0, 50);
    }
  }
  try {
    run();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

function readCounts(): CountsFile {
  try {
    const current = JSON.parse(readFileSync(FILE, 'utf8')) as Partial<CountsFile> | null;
    if (current && typeof current.targets === 'object' && current.targets !== null) {
      return { updatedAt: '', totalCases: 0, ...current, targets: current.targets };
    }
  } catch {
    // first run, or a file from an interrupted run: start again
  }
  return { updatedAt: '', totalCases: 0, targets: {} };
}

export function fuzzCounts(file: string): FuzzCounts {
  const counts: Record<string, number> = {};
  return {
    counts,
    hit(target) {
      counts[target] = (counts[target] ?? 0) + 1;
    },
    write() {
      mkdirSync(DIR, { recursive: true });
      withLock(() => {
        const current = readCounts();
        const at = new Date().toISOString();
        const relative = path.relative(path.dirname(DIR), file);
        // This file's run replaces what it wrote before: a target renamed or removed does not linger.
        for (const [target, entry] of Object.entries(current.targets)) {
          if (entry.file === relative) delete current.targets[target];
        }
        for (const [target, cases] of Object.entries(counts)) {
          current.targets[target] = { cases, file: relative, at };
        }
        current.updatedAt = at;
        current.totalCases = Object.values(current.targets).reduce((sum, t) => sum + t.cases, 0);
        const tmp = `${FILE}.${process.pid}.tmp`;
        writeFileSync(tmp, `${JSON.stringify(current, null, 2)}\n`);
        renameSync(tmp, FILE);
      });
    },
  };
}
