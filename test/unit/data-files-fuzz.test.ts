/**
 * Property: whatever happens to the reference data files (a file cut short or with a character changed, a
 * field of the wrong type or size, another JSON document, text that is not JSON, a stray file or folder),
 * the loaders either load every file there is or stop with their own error (CalendarDataError,
 * CatalogueDataError) naming the file and what is wrong with it; never another exception, never a load that
 * silently leaves a file out.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {
  CalendarDataError,
  DEFAULT_CALENDAR_DIR,
  loadCalendarData,
} from '../../adapters/reference-data/calendars';
import {
  CatalogueDataError,
  DEFAULT_CATALOGUE_DIR,
  loadCatalogue,
} from '../../adapters/reference-data/catalogue';
import { applyMutations, corruptedText, malformedJson, mutationsOf } from '../helpers/fuzz-arbitraries';
import type { Json } from '../helpers/fuzz-arbitraries';
import { fuzzCounts } from '../helpers/fuzz-counts';

const counts = fuzzCounts(__filename);
afterAll(() => counts.write());

const work = mkdtempSync(path.join(os.tmpdir(), 'data-fuzz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file under a folder, relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix)).flatMap((name) => {
    const rel = path.join(prefix, name);
    return statSync(path.join(dir, rel)).isDirectory() ? filesUnder(dir, rel) : [rel];
  });
}

/** What is done to the copy of the data: one file changed, or something added where it does not belong. */
type Damage =
  | { kind: 'text'; file: string; text: string }
  | { kind: 'stray'; at: string; name: string; folder: boolean; text: string };

/** One file's content changed: mutated, cut, replaced by other JSON or by text that is not JSON. */
function contentDamage(source: string): fc.Arbitrary<Damage> {
  const files = filesUnder(source);
  const perFile = files.map((file) => {
    const text = readFileSync(path.join(source, file), 'utf8');
    const doc = JSON.parse(text) as Json;
    return fc
      .oneof(
        {
          weight: 3,
          arbitrary: mutationsOf(doc).map((m) => JSON.stringify(applyMutations(doc, m), null, 2) ?? ''),
        },
        { weight: 2, arbitrary: corruptedText(text) },
        { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? '') },
        { weight: 1, arbitrary: malformedJson },
        // YAML, or a spreadsheet's export, where JSON is expected.
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'year: 2026\nholidays:\n  - 2026-01-01\n',
            "date;name\n2026-01-01;Cap d'Any\n",
            '\uFEFF' + text,
          ),
        },
      )
      .map((t): Damage => ({ kind: 'text', file, text: t }));
  });
  return fc.oneof(...perFile);
}

/** A file or folder where the loader reads, of a name or kind that does not belong there. */
function strayDamage(folders: string[]): fc.Arbitrary<Damage> {
  return fc.record({
    kind: fc.constant('stray' as const),
    at: fc.constantFrom(...folders),
    name: fc.constantFrom(
      'README.md',
      '.DS_Store',
      '2026.json',
      '2030.json',
      '2026-13-01.json',
      '99999',
      'notes',
      '2026.JSON',
      ' 2026.json',
    ),
    folder: fc.boolean(),
    text: fc.oneof(
      fc.constant(''),
      fc.constant('{}'),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
    ),
  });
}

/** A fresh copy of `source` with the damage done, and the files it then holds where the loader reads. */
function damagedCopy(
  source: string,
  damage: Damage,
  seq: number,
  read: RegExp,
): { dir: string; files: string[] } {
  const dir = path.join(work, String(seq));
  cpSync(source, dir, { recursive: true });
  if (damage.kind === 'text') {
    writeFileSync(path.join(dir, damage.file), damage.text);
  } else {
    const target = path.join(dir, damage.at, damage.name);
    rmSync(target, { recursive: true, force: true });
    if (damage.folder) mkdirSync(target, { recursive: true });
    else {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, damage.text);
    }
  }
  return { dir, files: filesUnder(dir).filter((f) => read.test(f)) };
}

/** The loader's own error, naming a file or folder of the data and saying what is wrong, no stack for a message. */
function expectClearError(err: unknown, errorType: new (...args: never[]) => Error, dir: string): void {
  if (!(err instanceof errorType)) throw err;
  const m = /^(.+?): (.+)$/s.exec(err.message);
  expect(m).not.toBeNull();
  expect(m![1]!.startsWith(dir)).toBe(true);
  expect(m![2]!.trim().length).toBeGreaterThan(3);
  expect(err.message).not.toMatch(/\n\s+at /);
}

describe('reference data fuzzing', () => {
  // A small copy of the shipped data: Catalonia's years and two towns; two municipalities' catalogues.
  const calendars = path.join(work, 'calendars-source');
  const catalogue = path.join(work, 'catalogue-source');
  beforeAll(() => {
    cpSync(path.join(DEFAULT_CALENDAR_DIR, 'catalonia'), path.join(calendars, 'catalonia'), {
      recursive: true,
    });
    for (const code of ['08187', '08305']) {
      cpSync(path.join(DEFAULT_CALENDAR_DIR, 'local', code), path.join(calendars, 'local', code), {
        recursive: true,
      });
      cpSync(path.join(DEFAULT_CATALOGUE_DIR, code), path.join(catalogue, code), { recursive: true });
    }
  });
  let seq = 0;

  const loaders = [
    {
      name: 'holiday calendars',
      source: () => calendars,
      folders: ['catalonia', 'local', 'local/08187', '.'],
      /** The files it reads: catalonia/<year>.json, local/<code>/<year>.json. */
      reads: /^(catalonia|local\/[^/]+)\/[^/]+$/,
      /** How many files it loaded: one year each. */
      load: (dir: string) => {
        const data = loadCalendarData(dir);
        return (
          Object.keys(data.regional).length +
          Object.values(data.local).reduce((n, byYear) => n + Object.keys(byYear).length, 0)
        );
      },
      error: CalendarDataError,
    },
    {
      name: 'benefit catalogue',
      source: () => catalogue,
      folders: ['08187', '08305', '.'],
      reads: /^[^/]+\/[^/]+$/,
      load: (dir: string) => loadCatalogue(dir).length,
      error: CatalogueDataError,
    },
  ];

  describe.each(loaders)('$name', ({ name, source, folders, reads, load, error }) => {
    it.each([
      ['contents', () => contentDamage(source()), 150],
      ['layout', () => strayDamage(folders), 60],
    ] as const)(
      '%s: every file loaded, or its own error naming the file and the problem',
      (what, damage, numRuns) => {
        const shipped = load(source());
        fc.assert(
          fc.property(damage(), (d) => {
            counts.hit(`data files: ${name} (${what})`);
            const { dir, files } = damagedCopy(source(), d, ++seq, reads);
            try {
              // Whole: one entry for each file there is, none left out.
              expect(load(dir)).toBe(files.length);
            } catch (err) {
              expectClearError(err, error, dir);
            } finally {
              rmSync(dir, { recursive: true, force: true });
            }
          }),
          { numRuns },
        );
        // Nothing is kept between loads: the good data loads as before.
        expect(load(source())).toBe(shipped);
      },
    );
  });

  it('names a file where a folder is expected, and a folder where a file is expected', () => {
    const dir = path.join(work, 'layout');
    cpSync(catalogue, dir, { recursive: true });
    writeFileSync(path.join(dir, 'README.md'), '# notes');
    expect(() => loadCatalogue(dir)).toThrow(
      new CatalogueDataError(path.join(dir, 'README.md'), 'is a file where a folder is expected'),
    );
    rmSync(path.join(dir, 'README.md'));
    mkdirSync(path.join(dir, '08187', '2027-01-01.json'));
    expect(() => loadCatalogue(dir)).toThrow(/08187\/2027-01-01\.json: cannot be read \(EISDIR/);
    expect(() => loadCatalogue(path.join(work, 'nowhere'))).toThrow(CatalogueDataError);

    const cal = path.join(work, 'layout-calendars');
    cpSync(calendars, cal, { recursive: true });
    rmSync(path.join(cal, 'local', '08187'), { recursive: true });
    writeFileSync(path.join(cal, 'local', '08187'), '');
    expect(() => loadCalendarData(cal)).toThrow(/local\/08187: is a file where a folder is expected/);
  });
});
