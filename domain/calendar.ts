/**
 * Business-day calendars (Llei 39/2015 art. 30.2, 30.6, 30.7): weekends, the Catalan holidays and the
 * municipality's local holidays are non-business days. A day that is a holiday in any of the calendar's
 * municipalities (where the person lives, where the office sits) is non-business.
 *
 * The calendar is built from data (domain/calendars/, loaded and validated by adapters/reference-data/calendars.ts and handed
 * to workflows by an activity), so adding a year or a town is data, not code, and workflows stay
 * deterministic on replay.
 */
import { isWeekendDay, yearOf } from './dates';
import type { IsoDate } from './dates';

export interface Holiday {
  date: IsoDate;
  name: string;
}

export interface CalendarYear {
  /** False while the official order is not published or not entered: days are counted, flagged provisional. */
  complete: boolean;
  source: string;
  holidays: Holiday[];
}

/** Everything a calendar needs, small enough to travel in a workflow's history. */
export interface CalendarData {
  regional: Record<number, CalendarYear>;
  local: Record<string, Record<number, CalendarYear>>;
}

export interface BusinessCalendar {
  municipalityCodes: readonly string[];
  isBusinessDay(date: IsoDate): boolean;
  /** The holiday's name when the date is a holiday (not merely a weekend). */
  holidayOn(date: IsoDate): string | undefined;
  /** Why days in this year may be wrong, or undefined when its calendars are complete. */
  provisionalReason(year: number): string | undefined;
}

export function createBusinessCalendar(
  data: CalendarData,
  municipalityCodes: readonly string[],
): BusinessCalendar {
  const holidays = new Map<IsoDate, string>();
  const years = [data.regional, ...municipalityCodes.map((code) => data.local[code] ?? {})];
  for (const byYear of years) {
    for (const year of Object.values(byYear)) {
      for (const h of year.holidays) if (!holidays.has(h.date)) holidays.set(h.date, h.name);
    }
  }

  function provisionalReason(year: number): string | undefined {
    const regional = data.regional[year];
    if (!regional) return `Catalan holidays for ${year} are not loaded: only weekends are excluded`;
    if (!regional.complete) return `Catalan holidays for ${year} are not final: ${regional.source}`;
    for (const code of municipalityCodes) {
      const local = data.local[code]?.[year];
      if (!local) return `local holidays of ${code} for ${year} are not loaded`;
      if (!local.complete) return `local holidays of ${code} for ${year} are incomplete: ${local.source}`;
    }
    return undefined;
  }

  return {
    municipalityCodes,
    isBusinessDay: (date) => !isWeekendDay(date) && !holidays.has(date),
    holidayOn: (date) => holidays.get(date),
    provisionalReason,
  };
}

/** Years a date range touches, for provisional checks. */
export function yearsBetween(from: IsoDate, to: IsoDate): number[] {
  const years: number[] = [];
  for (let y = yearOf(from); y <= yearOf(to); y++) years.push(y);
  return years;
}

/** Only the parts of the data a set of municipalities needs (what a workflow carries). */
export function calendarDataFor(data: CalendarData, municipalityCodes: readonly string[]): CalendarData {
  return {
    regional: data.regional,
    local: Object.fromEntries(municipalityCodes.map((code) => [code, data.local[code] ?? {}])),
  };
}
