/**
 * Plain calendar dates ('YYYY-MM-DD') and the office's time zone. Dates are handled as UTC midnights so
 * that no machine's time zone or daylight-saving change moves a day.
 */
import { UTCDate } from '@date-fns/utc';
import { TZDate } from '@date-fns/tz';
import { addDays, addMonths, differenceInCalendarDays, format, isWeekend } from 'date-fns';

export type IsoDate = string;

export const OFFICE_TIME_ZONE = 'Europe/Madrid';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new UTCDate(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return (
    d.getFullYear() === Number(m[1]) && d.getMonth() === Number(m[2]) - 1 && d.getDate() === Number(m[3])
  );
}

export function toUtcDate(date: IsoDate): UTCDate {
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new UTCDate(y, m - 1, d);
}

export function fromUtcDate(date: Date): IsoDate {
  return format(new UTCDate(date), 'yyyy-MM-dd');
}

export function plusDays(date: IsoDate, days: number): IsoDate {
  return fromUtcDate(addDays(toUtcDate(date), days));
}

/** The Sunday that ends `date`'s week (weeks run Monday to Sunday here): `date` itself on a Sunday. */
export function endOfWeek(date: IsoDate): IsoDate {
  const weekday = toUtcDate(date).getUTCDay();
  return plusDays(date, weekday === 0 ? 0 : 7 - weekday);
}

/** Same day number `months` later, or that month's last day when it has no such day (31 Jan + 1 → 28/29 Feb). */
export function plusMonths(date: IsoDate, months: number): IsoDate {
  return fromUtcDate(addMonths(toUtcDate(date), months));
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return differenceInCalendarDays(toUtcDate(to), toUtcDate(from));
}

export function isWeekendDay(date: IsoDate): boolean {
  return isWeekend(toUtcDate(date));
}

export function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

/** The calendar date at the office of an instant (an ISO 8601 date-time with offset or Z). */
export function officeDateOf(instant: string | Date): IsoDate {
  const at = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(at.getTime())) throw new RangeError(`not a date-time: ${String(instant)}`);
  return format(new TZDate(at, OFFICE_TIME_ZONE), 'yyyy-MM-dd');
}

/** The first instant (00:00, office time) of a calendar date, as an ISO 8601 string with offset. */
export function officeStartOfDay(date: IsoDate): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return format(new TZDate(y, m - 1, d, OFFICE_TIME_ZONE), "yyyy-MM-dd'T'HH:mm:ssxxx");
}
