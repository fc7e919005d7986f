import fc from 'fast-check';
import { createBusinessCalendar } from '../../domain/calendar';
import type { CalendarData } from '../../domain/calendar';
import { plusDays } from '../../domain/dates';
import {
  DeadlineRuleError,
  computeDeadline,
  effectiveFiling,
  extendDeadline,
  pauseDeadline,
  resumeDeadline,
} from '../../domain/deadlines';
import type { DeadlineRuleCode } from '../../domain/deadlines';
import { loadCalendarData } from '../../adapters/reference-data/calendars';

// The shipped Catalan calendars, with a fictional but complete local calendar for one town, so that dates
// in 2025 and 2026 are final (the shipped local calendars are still incomplete).
const shipped = loadCalendarData();
const data: CalendarData = {
  regional: shipped.regional,
  local: {
    '08305': {
      2025: { complete: true, source: 'test', holidays: [{ date: '2025-09-01', name: 'Festa local' }] },
      2026: {
        complete: true,
        source: 'test',
        holidays: [
          { date: '2026-08-31', name: 'Festa Major' },
          { date: '2026-09-01', name: 'Festa Major' },
        ],
      },
    },
  },
};
const town = createBusinessCalendar(data, ['08305']);

function articles(d: { legalBasis: { article: string }[] }): string[] {
  return d.legalBasis.map((b) => b.article);
}

function ruleCode(fn: () => unknown): DeadlineRuleCode | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof DeadlineRuleError) return err.code;
    throw err;
  }
  return undefined;
}

describe('business-day deadlines (art. 30.2, 30.3)', () => {
  it.each([
    // from, amount, deadline, non-business days skipped, why
    ['2026-03-30', 10, '2026-04-15', 6, 'across Easter 2026: Good Friday and Easter Monday'],
    ['2025-04-14', 5, '2025-04-23', 4, 'across Easter 2025'],
    ['2025-12-19', 10, '2026-01-08', 10, 'across Christmas, New Year and Reis, into the next year'],
    ['2026-08-28', 2, '2026-09-03', 4, "across the town's two local holidays"],
    ['2026-06-22', 3, '2026-06-26', 1, 'across Sant Joan'],
    ['2026-02-27', 1, '2026-03-02', 2, 'from a Friday at the end of February'],
  ])('%s + %i business days → %s (%i skipped): %s', (from, amount, deadline, skipped) => {
    const d = computeDeadline(town, { from, amount, unit: 'business_days' });
    expect(d).toMatchObject({ deadline, nonBusinessDaysSkipped: skipped, provisional: false });
    expect(articles(d)).toEqual(expect.arrayContaining(['30.2', '30.3']));
  });

  it("ignores another town's local holidays", () => {
    const elsewhere = createBusinessCalendar(data, ['08187']);
    expect(
      computeDeadline(elsewhere, { from: '2026-08-28', amount: 2, unit: 'business_days' }).deadline,
    ).toBe('2026-09-01');
  });

  it('counts a holiday where the person lives or where the office sits (art. 30.6)', () => {
    const both = createBusinessCalendar(
      {
        ...data,
        local: {
          ...data.local,
          '08187': { 2026: { complete: true, source: 't', holidays: [{ date: '2026-09-03', name: 'x' }] } },
        },
      },
      ['08305', '08187'],
    );
    expect(computeDeadline(both, { from: '2026-08-28', amount: 2, unit: 'business_days' }).deadline).toBe(
      '2026-09-04',
    );
  });
});

describe('calendar-day and month deadlines (art. 30.4, 30.5)', () => {
  const cases: [string, number, 'calendar_days' | 'months', string, number, string][] = [
    ['2026-01-31', 1, 'months', '2026-03-02', 2, 'no 31 February: the 28th, a Saturday, moves to Monday'],
    ['2026-05-20', 3, 'months', '2026-08-20', 0, 'same day number three months on'],
    ['2025-11-30', 1, 'months', '2025-12-30', 0, 'into December'],
    ['2026-06-14', 10, 'calendar_days', '2026-06-25', 1, 'ends on Sant Joan: next business day'],
    ['2026-12-21', 4, 'calendar_days', '2026-12-28', 3, 'ends on Christmas, then Sant Esteve and a Sunday'],
  ];
  it.each(cases)('%s + %i %s → %s (%i moved): %s', (from, amount, unit, deadline, skipped) => {
    const d = computeDeadline(town, { from, amount, unit });
    expect(d).toMatchObject({ deadline, nonBusinessDaysSkipped: skipped });
    if (skipped > 0) expect(articles(d)).toContain('30.5');
    else expect(articles(d)).not.toContain('30.5');
    if (unit === 'months') expect(articles(d)).toContain('30.4');
  });

  it('ends a month period on 29 February in a leap year, provisionally when that year is not loaded', () => {
    const d = computeDeadline(town, { from: '2028-01-31', amount: 1, unit: 'months' });
    expect(d.deadline).toBe('2028-02-29');
    expect(d.provisional).toBe(true);
    expect(d.provisionalReasons.join()).toMatch(/2028 are not loaded: only weekends/);
  });

  it('flags a period reaching into a year whose calendar is not final (2027)', () => {
    const d = computeDeadline(town, { from: '2026-12-31', amount: 10, unit: 'calendar_days' });
    // 10 January 2027 is a Sunday.
    expect(d.deadline).toBe('2027-01-11');
    expect(d.provisional).toBe(true);
    expect(d.provisionalReasons.join()).toMatch(/2027 are not final/);
  });

  it('computes with weekends only in a year with no data at all', () => {
    // 2030-01-01 (a holiday every year) is not known: counted as a business day, and flagged.
    const d = computeDeadline(town, { from: '2029-12-31', amount: 1, unit: 'business_days' });
    expect(d).toMatchObject({ deadline: '2030-01-01', provisional: true });
  });

  it('flags the shipped calendars of pilot towns whose local holidays are not entered yet', () => {
    const sabadell = createBusinessCalendar(shipped, ['08187']);
    const d = computeDeadline(sabadell, { from: '2026-03-02', amount: 10, unit: 'business_days' });
    expect(d.provisional).toBe(true);
    expect(d.provisionalReasons.join()).toMatch(/local holidays of 08187 for 2026 are incomplete/);
  });
});

describe('extension (art. 32.1)', () => {
  const original = computeDeadline(town, { from: '2026-03-30', amount: 10, unit: 'business_days' });

  it('adds up to half the period, counted on from the original last day', () => {
    const extended = extendDeadline(town, original, 5, '2026-04-10');
    expect(extended.deadline).toBe('2026-04-22');
    expect(articles(extended)).toContain('32.1');
  });

  it('refuses more than half, and an extension granted after expiry', () => {
    expect(ruleCode(() => extendDeadline(town, original, 6, '2026-04-10'))).toBe('EXTENSION_TOO_LONG');
    expect(ruleCode(() => extendDeadline(town, original, 0, '2026-04-10'))).toBe('EXTENSION_TOO_LONG');
    expect(ruleCode(() => extendDeadline(town, original, 3, '2026-04-16'))).toBe('EXTENSION_AFTER_EXPIRY');
    expect(extendDeadline(town, original, 3, '2026-04-15').deadline).toBe('2026-04-20');
  });
});

describe('pausing the time to resolve (art. 22.1.a)', () => {
  it('resumes with the time that was left', () => {
    const maximum = computeDeadline(town, { from: '2026-02-02', amount: 3, unit: 'months' });
    expect(maximum.deadline).toBe('2026-05-04'); // 2 May is a Saturday
    const paused = pauseDeadline(maximum, '2026-03-02');
    expect(paused.remainingDays).toBe(63);
    const resumed = resumeDeadline(town, paused, '2026-03-16');
    expect(resumed.deadline).toBe('2026-05-18');
    expect(articles(resumed)).toContain('22.1.a');
  });

  it('moves a resumed deadline that lands on a holiday', () => {
    const maximum = computeDeadline(town, { from: '2026-03-02', amount: 3, unit: 'months' });
    const paused = pauseDeadline(maximum, maximum.deadline); // nothing left: ends the day it resumes
    expect(resumeDeadline(town, paused, '2026-06-24').deadline).toBe('2026-06-25');
  });

  it('refuses to resume before the pause', () => {
    const maximum = computeDeadline(town, { from: '2026-02-02', amount: 3, unit: 'months' });
    expect(ruleCode(() => resumeDeadline(town, pauseDeadline(maximum, '2026-03-02'), '2026-03-01'))).toBe(
      'RESUMED_BEFORE_PAUSE',
    );
  });
});

describe('filings on non-business days (art. 31.2.b)', () => {
  it('counts a Saturday filing before Easter Monday from Tuesday 00:00 office time', () => {
    expect(effectiveFiling(town, '2026-04-04T10:00:00Z')).toMatchObject({
      effectiveDate: '2026-04-07',
      effectiveAt: '2026-04-07T00:00:00+02:00',
      moved: true,
    });
  });

  it('uses the office time zone: 22:30 UTC on a Wednesday is already Thursday in Barcelona', () => {
    expect(effectiveFiling(town, '2026-04-01T22:30:00Z')).toMatchObject({
      effectiveDate: '2026-04-02',
      moved: false,
    });
    // ...and 23:30 UTC on Thursday 2 April is Good Friday at the office.
    expect(effectiveFiling(town, '2026-04-02T23:30:00Z').effectiveDate).toBe('2026-04-07');
  });

  it('keeps a winter filing in CET (+01:00)', () => {
    expect(effectiveFiling(town, '2026-01-06T12:00:00Z').effectiveAt).toBe('2026-01-07T00:00:00+01:00');
  });
});

describe('bad requests', () => {
  it.each([
    [{ from: '2026-02-30', amount: 1, unit: 'business_days' as const }, 'INVALID_DATE'],
    [{ from: '2026-02-01', amount: 0, unit: 'business_days' as const }, 'INVALID_AMOUNT'],
    [{ from: '2026-02-01', amount: 2.5, unit: 'months' as const }, 'INVALID_AMOUNT'],
    [{ from: '2026-02-01', amount: 100_000, unit: 'calendar_days' as const }, 'INVALID_AMOUNT'],
  ])('%j → %s', (request, code) => {
    expect(ruleCode(() => computeDeadline(town, request))).toBe(code);
  });
});

describe('properties of business-day deadlines', () => {
  const day = fc.integer({ min: 0, max: 729 }).map((n) => plusDays('2025-01-01', n));
  const amount = fc.integer({ min: 1, max: 80 });

  it('never land on a non-business day and never precede their start', () => {
    fc.assert(
      fc.property(day, amount, (from, n) => {
        const { deadline } = computeDeadline(town, { from, amount: n, unit: 'business_days' });
        expect(town.isBusinessDay(deadline)).toBe(true);
        expect(deadline > from).toBe(true);
      }),
    );
  });

  it('grow with N, by at least one day for each extra business day', () => {
    fc.assert(
      fc.property(day, amount, (from, n) => {
        const a = computeDeadline(town, { from, amount: n, unit: 'business_days' }).deadline;
        const b = computeDeadline(town, { from, amount: n + 1, unit: 'business_days' }).deadline;
        expect(b > a).toBe(true);
      }),
    );
  });

  it('span exactly N business days', () => {
    fc.assert(
      fc.property(day, amount, (from, n) => {
        const d = computeDeadline(town, { from, amount: n, unit: 'business_days' });
        let business = 0;
        for (let x = plusDays(from, 1); x <= d.deadline; x = plusDays(x, 1))
          if (town.isBusinessDay(x)) business++;
        expect(business).toBe(n);
        expect(business + d.nonBusinessDaysSkipped).toBe(
          (Date.parse(d.deadline) - Date.parse(from)) / 86_400_000,
        );
      }),
    );
  });

  it('calendar-day and month deadlines also end on business days, on or after the plain end', () => {
    fc.assert(
      fc.property(
        day,
        fc.integer({ min: 1, max: 24 }),
        fc.constantFrom('calendar_days' as const, 'months' as const),
        (from, n, unit) => {
          const d = computeDeadline(town, { from, amount: n, unit });
          expect(town.isBusinessDay(d.deadline)).toBe(true);
          expect(d.deadline > from).toBe(true);
        },
      ),
    );
  });
});
