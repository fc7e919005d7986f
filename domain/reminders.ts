/**
 * Reminders: who is reminded of which running deadline, and when. Cadences are data (per benefit in the
 * catalogue, defaults below), counted in business days before the deadline's last day; a negative count is
 * after it, which is how an unanswered staff reminder escalates to the office's coordinator. Reminders go
 * out at 09:00 office time on business days only (an SMS never at night nor on a holiday).
 */
import type { BusinessCalendar } from './calendar';
import { plusDays } from './dates';
import type { IsoDate } from './dates';
import type { DeadlineKind, RunningDeadline } from './deadlines';

export const REMINDER_AUDIENCES = ['citizen', 'assignee', 'coordinator'] as const;
export type ReminderAudience = (typeof REMINDER_AUDIENCES)[number];

/** The deadlines reminders can follow. */
export const REMINDED_DEADLINES = [
  'document_request',
  'justification',
  'renewal',
  'notification_acceptance',
  'task_sla',
  'max_time_to_resolve',
] as const satisfies readonly DeadlineKind[];
export type RemindedDeadline = (typeof REMINDED_DEADLINES)[number];

export type Cadence = {
  audience: ReminderAudience;
  /** Business days before the deadline's last day (0: on the day; negative: after it). */
  businessDaysBefore: number;
}[];

/** Per deadline, who is reminded when (validated where the catalogue is loaded: domain/catalogue.ts). */
export type ReminderCadences = { [K in RemindedDeadline]?: Cadence | undefined };

const citizen = (...days: number[]): Cadence =>
  days.map((businessDaysBefore) => ({ audience: 'citizen' as const, businessDaysBefore }));

/** The office's cadences where the benefit's catalogue entry sets none. */
export const DEFAULT_REMINDER_CADENCES: Required<ReminderCadences> = {
  document_request: citizen(5, 2),
  justification: citizen(10, 3),
  renewal: citizen(20, 5),
  // Before the notification is deemed rejected (art. 43.2): it has not been opened yet.
  notification_acceptance: citizen(5, 2),
  // The task's service level reached, then its coordinator two business days later if still open.
  task_sla: [
    { audience: 'assignee', businessDaysBefore: 0 },
    { audience: 'coordinator', businessDaysBefore: -2 },
  ],
  max_time_to_resolve: [
    { audience: 'assignee', businessDaysBefore: 10 },
    { audience: 'assignee', businessDaysBefore: 3 },
    { audience: 'coordinator', businessDaysBefore: 3 },
  ],
};

/** Local time at which reminders go out on their day. */
export const REMINDER_HOUR = '09:00';

export interface PlannedReminder {
  /** Stable across retries, replays and new runs: the same reminder of the same deadline date is one. */
  key: string;
  deadline: RemindedDeadline;
  dueDate: IsoDate;
  audience: ReminderAudience;
  businessDaysBefore: number;
  /** The business day it goes out on (at REMINDER_HOUR). */
  on: IsoDate;
}

/** `n` business days before `date` (after it when negative), landing on a business day. */
export function businessDaysFrom(calendar: BusinessCalendar, date: IsoDate, n: number): IsoDate {
  let d = date;
  const step = n >= 0 ? -1 : 1;
  for (let counted = 0; counted < Math.abs(n);) {
    d = plusDays(d, step);
    if (calendar.isBusinessDay(d)) counted++;
  }
  // A deadline's last day may itself be a non-business day (calendar days, months): the reminder of "the
  // day" goes out on the business day before it.
  while (!calendar.isBusinessDay(d)) d = plusDays(d, -1);
  return d;
}

export function isReminded(kind: DeadlineKind): kind is RemindedDeadline {
  return (REMINDED_DEADLINES as readonly string[]).includes(kind);
}

/**
 * The reminders the running deadlines call for. Paused deadlines have none (their date is not known until
 * the clock runs again); the caller drops those whose day has passed.
 */
export function planReminders(
  calendar: BusinessCalendar,
  applicationId: string,
  deadlines: readonly RunningDeadline[],
  cadences: ReminderCadences | undefined,
): PlannedReminder[] {
  return deadlines.flatMap((d) => {
    if (d.pausedSince || !isReminded(d.kind)) return [];
    const kind = d.kind;
    const cadence = cadences?.[kind] ?? DEFAULT_REMINDER_CADENCES[kind];
    return cadence.map((c) => ({
      key: `${applicationId}:reminder:${kind}:${d.dueDate}:${c.audience}:${c.businessDaysBefore}`,
      deadline: kind,
      dueDate: d.dueDate,
      audience: c.audience,
      businessDaysBefore: c.businessDaysBefore,
      on: businessDaysFrom(calendar, d.dueDate, c.businessDaysBefore),
    }));
  });
}

/** Messages to people go out between 09:00 and 20:00 office time on business days, never at night. */
export const SENDING_WINDOW = { fromHour: 9, toHour: 20 } as const;

/**
 * The first instant at or after `nowMs` inside the sending window. `startOfDay` gives the UTC instant of
 * 00:00 office time on a date, `dateOf` the office date of an instant (domain/dates, injected so that this
 * stays a pure function of its arguments).
 */
export function nextSendingInstant(
  calendar: BusinessCalendar,
  nowMs: number,
  dateOf: (instant: Date) => IsoDate,
  startOfDay: (date: IsoDate) => number,
): number {
  const hour = 3_600_000;
  const today = dateOf(new Date(nowMs));
  const opens = startOfDay(today) + SENDING_WINDOW.fromHour * hour;
  const closes = startOfDay(today) + SENDING_WINDOW.toHour * hour;
  if (calendar.isBusinessDay(today)) {
    if (nowMs < opens) return opens;
    if (nowMs < closes) return nowMs;
  }
  let d = plusDays(today, 1);
  while (!calendar.isBusinessDay(d)) d = plusDays(d, 1);
  return startOfDay(d) + SENDING_WINDOW.fromHour * hour;
}
