/**
 * Loads the holiday calendars from data files, validating each on load:
 *   domain/calendars/catalonia/<year>.json            the Catalan holidays of a year
 *   domain/calendars/local/<INE code>/<year>.json      a municipality's local holidays of a year
 * A bad file stops the load with its path and what is wrong with it.
 */
import path from 'node:path';
import { z } from 'zod';
import type { CalendarData, CalendarYear } from '../../domain/calendar';
import { isIsoDate } from '../../domain/dates';
import { readDataFile, readDataFolder } from './data-files';

export const DEFAULT_CALENDAR_DIR = path.resolve(__dirname, '..', '..', 'domain', 'calendars');

const holidaySchema = z.object({
  date: z.string().refine(isIsoDate, 'must be a calendar date YYYY-MM-DD'),
  name: z.string().min(1),
});

const yearFileSchema = z.object({
  year: z.number().int().min(2000).max(2100),
  complete: z.boolean(),
  source: z.string().min(1),
  holidays: z.array(holidaySchema),
});

const localFileSchema = yearFileSchema.extend({
  municipalityCode: z.string().regex(/^\d{5}$/),
  municipality: z.string().min(1),
});

export class CalendarDataError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'CalendarDataError';
  }
}

function readYearFile<S extends typeof yearFileSchema>(
  file: string,
  schema: S,
  expectYear: number,
): z.infer<S> {
  const data: z.infer<S> = readDataFile(file, schema, (problem) => new CalendarDataError(file, problem));
  if (data.year !== expectYear)
    throw new CalendarDataError(file, `says year ${data.year} but is named ${expectYear}`);
  const wrongYear = data.holidays.find((h) => !h.date.startsWith(`${expectYear}-`));
  if (wrongYear) throw new CalendarDataError(file, `holiday ${wrongYear.date} is not in ${expectYear}`);
  const dates = data.holidays.map((h) => h.date);
  const duplicate = dates.find((d, i) => dates.indexOf(d) !== i);
  if (duplicate) throw new CalendarDataError(file, `holiday ${duplicate} appears twice`);
  return data;
}

/** A missing folder holds no years (a year with no data is counted with weekends only). */
function yearFiles(dir: string): { year: number; file: string }[] {
  const names = readDataFolder(dir, (problem) => new CalendarDataError(dir, problem), { optional: true });
  return names.map((name) => {
    const m = /^(\d{4})\.json$/.exec(name);
    if (!m) throw new CalendarDataError(path.join(dir, name), 'calendar files are named <year>.json');
    return { year: Number(m[1]), file: path.join(dir, name) };
  });
}

function toYear({ complete, source, holidays }: z.infer<typeof yearFileSchema>): CalendarYear {
  return { complete, source, holidays: holidays.map(({ date, name }) => ({ date, name })) };
}

export function loadCalendarData(dir: string = DEFAULT_CALENDAR_DIR): CalendarData {
  const regional: CalendarData['regional'] = {};
  for (const { year, file } of yearFiles(path.join(dir, 'catalonia'))) {
    regional[year] = toYear(readYearFile(file, yearFileSchema, year));
  }
  const local: CalendarData['local'] = {};
  const localDir = path.join(dir, 'local');
  const codes = readDataFolder(localDir, (problem) => new CalendarDataError(localDir, problem), {
    optional: true,
  });
  for (const code of codes) {
    if (!/^\d{5}$/.test(code))
      throw new CalendarDataError(path.join(localDir, code), 'folders are INE codes');
    const byYear: Record<number, CalendarYear> = {};
    for (const { year, file } of yearFiles(path.join(localDir, code))) {
      const data = readYearFile(file, localFileSchema, year);
      if (data.municipalityCode !== code) {
        throw new CalendarDataError(
          file,
          `municipalityCode ${data.municipalityCode} is not its folder's ${code}`,
        );
      }
      byYear[year] = toYear(data);
    }
    local[code] = byYear;
  }
  return { regional, local };
}
