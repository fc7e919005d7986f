/**
 * Legal deadlines (Llei 39/2015 arts. 22, 30, 31, 32) as small pure functions over a business calendar.
 * Workflows call them with workflow time, the API with the request's dates: the same code, the same answer.
 */
import { yearsBetween } from './calendar';
import type { BusinessCalendar } from './calendar';
import { daysBetween, isIsoDate, officeDateOf, officeStartOfDay, plusDays, plusMonths } from './dates';
import type { IsoDate } from './dates';
import { LEGAL_BASIS } from './legal-basis';
import type { LegalBasis } from './legal-basis';

/** The deadlines a case can have running, legal or of the office's service. */
export type DeadlineKind =
  | 'acknowledgement'
  | 'max_time_to_resolve'
  | 'document_request'
  | 'task_sla'
  | 'notification_acceptance'
  | 'appeal_filing'
  | 'appeal_resolution'
  | 'justification'
  | 'repayment'
  | 'renewal';

/** A legal or service deadline running on a case. */
export interface RunningDeadline {
  kind: DeadlineKind;
  /** Last day (office calendar) on which the step can still be taken. */
  dueDate: IsoDate;
  legalBasis: LegalBasis[];
  provisional: boolean;
  /** Set while the clock is paused (art. 22.1.a). */
  pausedSince?: IsoDate | undefined;
}

export const DEADLINE_UNITS = ['business_days', 'calendar_days', 'months'] as const;
export type DeadlineUnit = (typeof DEADLINE_UNITS)[number];

/** Longest periods the law uses are years; beyond these the request is a mistake, not a deadline. */
export const MAX_AMOUNT: Record<DeadlineUnit, number> = {
  business_days: 1000,
  calendar_days: 3660,
  months: 120,
};

export interface DeadlineRequest {
  /** The day of the triggering event (notification, publication, effective filing): counting starts the day after. */
  from: IsoDate;
  amount: number;
  unit: DeadlineUnit;
}

export interface Deadline extends DeadlineRequest {
  /** The last day on which the step can still be taken. */
  deadline: IsoDate;
  /** True when a year the period touches has no complete calendar: the date may move once it is. */
  provisional: boolean;
  provisionalReasons: string[];
  /** Weekends and holidays passed over: inside the period for business days, at its end otherwise. */
  nonBusinessDaysSkipped: number;
  legalBasis: LegalBasis[];
}

export type DeadlineRuleCode =
  | 'INVALID_DATE'
  | 'INVALID_AMOUNT'
  | 'EXTENSION_TOO_LONG'
  | 'EXTENSION_AFTER_EXPIRY'
  | 'RESUMED_BEFORE_PAUSE';

/** A request the law does not allow, with the rule it breaks. */
export class DeadlineRuleError extends Error {
  constructor(
    readonly code: DeadlineRuleCode,
    message: string,
  ) {
    super(message);
    this.name = 'DeadlineRuleError';
  }
}

function checkRequest({ from, amount, unit }: DeadlineRequest): void {
  if (!isIsoDate(from)) throw new DeadlineRuleError('INVALID_DATE', `${from} is not a calendar date`);
  if (!Number.isInteger(amount) || amount < 1 || amount > MAX_AMOUNT[unit]) {
    throw new DeadlineRuleError(
      'INVALID_AMOUNT',
      `the amount must be a whole number from 1 to ${MAX_AMOUNT[unit]}`,
    );
  }
}

function provisionality(calendar: BusinessCalendar, from: IsoDate, to: IsoDate) {
  const reasons = yearsBetween(from, to)
    .map((y) => calendar.provisionalReason(y))
    .filter((r): r is string => r !== undefined);
  return { provisional: reasons.length > 0, provisionalReasons: reasons };
}

/** Moves a last day that is not a business day to the next one (art. 30.5). */
function toBusinessDay(calendar: BusinessCalendar, date: IsoDate): { date: IsoDate; skipped: number } {
  let skipped = 0;
  while (!calendar.isBusinessDay(date)) {
    date = plusDays(date, 1);
    skipped++;
  }
  return { date, skipped };
}

export function computeDeadline(calendar: BusinessCalendar, request: DeadlineRequest): Deadline {
  checkRequest(request);
  const { from, amount, unit } = request;
  let deadline: IsoDate;
  let skipped = 0;
  let holidaySkipped = false;
  const basis: LegalBasis[] = [];

  if (unit === 'business_days') {
    basis.push(LEGAL_BASIS.businessDays, LEGAL_BASIS.countFromNextDay);
    deadline = from;
    for (let counted = 0; counted < amount;) {
      deadline = plusDays(deadline, 1);
      if (calendar.isBusinessDay(deadline)) counted++;
      else {
        skipped++;
        holidaySkipped ||= calendar.holidayOn(deadline) !== undefined;
      }
    }
  } else {
    basis.push(
      unit === 'months' ? LEGAL_BASIS.months : LEGAL_BASIS.calendarDays,
      LEGAL_BASIS.countFromNextDay,
    );
    const end = unit === 'months' ? plusMonths(from, amount) : plusDays(from, amount);
    holidaySkipped = calendar.holidayOn(end) !== undefined;
    const moved = toBusinessDay(calendar, end);
    deadline = moved.date;
    skipped = moved.skipped;
    if (skipped > 0) basis.push(LEGAL_BASIS.movedToNextBusinessDay);
  }
  if (holidaySkipped) basis.push(LEGAL_BASIS.localHolidays);

  return {
    from,
    amount,
    unit,
    deadline,
    ...provisionality(calendar, plusDays(from, 1), deadline),
    nonBusinessDaysSkipped: skipped,
    legalBasis: basis,
  };
}

/** The business day `n` business days before `date` (for alerts ahead of a deadline). */
export function businessDaysBefore(calendar: BusinessCalendar, date: IsoDate, n: number): IsoDate {
  let d = date;
  for (let counted = 0; counted < n;) {
    d = plusDays(d, -1);
    if (calendar.isBusinessDay(d)) counted++;
  }
  return d;
}

/** Largest extension art. 32.1 allows: half the original period, in whole units. */
export function maxExtension(original: Pick<Deadline, 'amount'>): number {
  return Math.floor(original.amount / 2);
}

/**
 * Extends a running period by `extension` units of its own kind, counted on from its current last day
 * (art. 32.1). It must be granted before the period expires and may not exceed half of it.
 */
export function extendDeadline(
  calendar: BusinessCalendar,
  original: Deadline,
  extension: number,
  grantedOn: IsoDate,
): Deadline {
  if (!isIsoDate(grantedOn))
    throw new DeadlineRuleError('INVALID_DATE', `${grantedOn} is not a calendar date`);
  if (grantedOn > original.deadline) {
    throw new DeadlineRuleError(
      'EXTENSION_AFTER_EXPIRY',
      `the period ended on ${original.deadline}: an extension must be granted before it expires`,
    );
  }
  if (!Number.isInteger(extension) || extension < 1 || extension > maxExtension(original)) {
    throw new DeadlineRuleError(
      'EXTENSION_TOO_LONG',
      `an extension may not exceed half the original period: at most ${maxExtension(original)}`,
    );
  }
  const extended = computeDeadline(calendar, {
    from: original.deadline,
    amount: extension,
    unit: original.unit,
  });
  const reasons = [...new Set([...original.provisionalReasons, ...extended.provisionalReasons])];
  return {
    ...original,
    deadline: extended.deadline,
    provisional: reasons.length > 0,
    provisionalReasons: reasons,
    nonBusinessDaysSkipped: original.nonBusinessDaysSkipped + extended.nonBusinessDaysSkipped,
    legalBasis: [...original.legalBasis, LEGAL_BASIS.extension],
  };
}

export interface PausedDeadline {
  deadline: Deadline;
  pausedOn: IsoDate;
  /** Calendar days that were left when the clock stopped. */
  remainingDays: number;
}

/** Stops a running clock (art. 22.1.a: the time to resolve pauses while a request to remedy is open). */
export function pauseDeadline(deadline: Deadline, pausedOn: IsoDate): PausedDeadline {
  if (!isIsoDate(pausedOn)) throw new DeadlineRuleError('INVALID_DATE', `${pausedOn} is not a calendar date`);
  return { deadline, pausedOn, remainingDays: Math.max(0, daysBetween(pausedOn, deadline.deadline)) };
}

/** Restarts a paused clock with the time that was left, moved to a business day (arts. 22.1.a, 30.5). */
export function resumeDeadline(
  calendar: BusinessCalendar,
  paused: PausedDeadline,
  resumedOn: IsoDate,
): Deadline {
  if (!isIsoDate(resumedOn))
    throw new DeadlineRuleError('INVALID_DATE', `${resumedOn} is not a calendar date`);
  if (resumedOn < paused.pausedOn) {
    throw new DeadlineRuleError(
      'RESUMED_BEFORE_PAUSE',
      `resumed on ${resumedOn}, before the pause on ${paused.pausedOn}`,
    );
  }
  const moved = toBusinessDay(calendar, plusDays(resumedOn, paused.remainingDays));
  const reasons = [
    ...new Set([
      ...paused.deadline.provisionalReasons,
      ...provisionality(calendar, resumedOn, moved.date).provisionalReasons,
    ]),
  ];
  return {
    ...paused.deadline,
    deadline: moved.date,
    provisional: reasons.length > 0,
    provisionalReasons: reasons,
    nonBusinessDaysSkipped: paused.deadline.nonBusinessDaysSkipped + moved.skipped,
    legalBasis: [
      ...paused.deadline.legalBasis,
      LEGAL_BASIS.pauseForRemedy,
      ...(moved.skipped > 0 ? [LEGAL_BASIS.movedToNextBusinessDay] : []),
    ],
  };
}

export interface EffectiveFiling {
  filedAt: string;
  /** The day the filing counts as made: its own day, or the next business day (art. 31.2.b). */
  effectiveDate: IsoDate;
  /** 00:00 office time of the effective date when the filing was moved, else the filing instant. */
  effectiveAt: string;
  moved: boolean;
  legalBasis: LegalBasis[];
}

/** The electronic registry accepts filings at any hour; one on a non-business day counts from the next one. */
export function effectiveFiling(calendar: BusinessCalendar, filedAt: string): EffectiveFiling {
  const day = officeDateOf(filedAt);
  if (calendar.isBusinessDay(day))
    return { filedAt, effectiveDate: day, effectiveAt: filedAt, moved: false, legalBasis: [] };
  const { date } = toBusinessDay(calendar, day);
  return {
    filedAt,
    effectiveDate: date,
    effectiveAt: officeStartOfDay(date),
    moved: true,
    legalBasis: [LEGAL_BASIS.filingOnNonBusinessDay],
  };
}
