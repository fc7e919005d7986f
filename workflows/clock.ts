/**
 * Workflow time and legal deadlines as durable timers. Inside the workflow sandbox `Date` is the
 * deterministic time of the current workflow task, so these helpers are safe on replay.
 */
import { condition } from '@temporalio/workflow';
import { officeDateOf, officeStartOfDay, plusDays } from '../domain/dates';
import type { IsoDate } from '../domain/dates';

export function nowIso(): string {
  return new Date().toISOString();
}

export function nowMs(): number {
  return new Date().getTime();
}

/** Today at the office (Europe/Madrid). */
export function today(): IsoDate {
  return officeDateOf(new Date());
}

/** A legal deadline runs to the end of its last day at the office: it expires at 00:00 of the day after. */
export function expiryOf(lastDay: IsoDate): number {
  return Date.parse(officeStartOfDay(plusDays(lastDay, 1)));
}

/** 00:00 office time of a day: when something due on that day becomes due. */
export function startOf(day: IsoDate): number {
  return Date.parse(officeStartOfDay(day));
}

/**
 * Waits until `done()` holds or the instant `until()` passes. `until` is read again whenever state changes,
 * so a deadline that moves (an extension, a pause, a resume) moves the timer; `undefined` means the clock
 * is paused. Returns whether `done()` held (false: the deadline passed).
 */
export async function waitUntil(done: () => boolean, until: () => number | undefined): Promise<boolean> {
  for (;;) {
    if (done()) return true;
    const target = until();
    if (target === undefined) {
      await condition(() => done() || until() !== undefined);
      continue;
    }
    const remaining = target - nowMs();
    if (remaining <= 0) return done();
    await condition(() => done() || until() !== target, remaining);
  }
}
