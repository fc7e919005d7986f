import { createBusinessCalendar } from '../../domain/calendar';
import {
  assigneeOn,
  businessDaysBetween,
  computeIndicators,
  INDICATORS,
  INDICATOR_IDS,
  percentile,
  registryAvailability,
  suppressSmallCounts,
  workloadOverTime,
  workloadPerPerson,
} from '../../domain/indicators';
import type { IndicatorRow, IndicatorValues } from '../../domain/indicators';
import { loadReferenceData } from '../../adapters/reference-data';
import { CASES, EXPECTED_VILAFRANCA, PERIOD, STAFF } from '../fixtures/indicator-cases';

const calendarData = loadReferenceData().calendar;
const ctx = { period: PERIOD, calendarFor: (m: string) => createBusinessCalendar(calendarData, [m]) };
const vilafranca = CASES.filter((c) => c.municipalityCode === '08305');
const roleOf = (id: string) => STAFF.find((s) => s.id === id)?.role;

describe('indicator definitions', () => {
  it('are documented once each, with a known base', () => {
    expect(new Set(INDICATOR_IDS).size).toBe(INDICATORS.length);
    for (const def of INDICATORS) {
      expect(def.definition.length).toBeGreaterThan(10);
      expect(def.formula.length).toBeGreaterThan(5);
      expect(def.source.length).toBeGreaterThan(5);
      if ('base' in def) expect(INDICATOR_IDS).toContain(def.base);
    }
  });
});

describe('business days and percentiles', () => {
  const cal = ctx.calendarFor('08305');
  it('skip Good Friday, the weekend and Easter Monday', () => {
    expect(businessDaysBetween(cal, '2026-03-30', '2026-04-07')).toBe(4);
    expect(businessDaysBetween(cal, '2026-04-02', '2026-04-07')).toBe(1);
    expect(businessDaysBetween(cal, '2026-04-07', '2026-04-07')).toBe(0);
  });
  it('interpolate linearly between ranks', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([5], 0.9)).toBe(5);
    expect(percentile([13, 4, 7], 0.5)).toBe(7);
    expect(percentile([4, 7, 13], 0.9)).toBeCloseTo(11.8, 10);
    expect(percentile([5, 13], 0.5)).toBe(9);
  });
});

describe('computeIndicators over cases with known outcomes', () => {
  it('gives every indicator of Vilafranca as computed by hand', () => {
    expect(computeIndicators(vilafranca, ctx)).toEqual(EXPECTED_VILAFRANCA);
  });

  it('splits by benefit', () => {
    const rent = computeIndicators(
      vilafranca.filter((c) => c.benefitCode === 'RENT'),
      ctx,
    );
    expect(rent).toMatchObject({
      received: 1, // C7
      resolved: 1, // C3, withdrawal from its note
      withdrawn_remedy_expired: 1,
      resolution_business_days_p50: 13,
      resolved_within_max_time_share: 0,
      amount_paid: 400, // C5's third payment
      data_from_administrations_share: 1, // C7: padró obtained, nothing asked
    });
  });

  it('counts the business days in each municipality’s calendar, from office dates', () => {
    const granollers = computeIndicators(
      CASES.filter((c) => c.municipalityCode === '08096'),
      ctx,
    );
    expect(granollers).toMatchObject({
      received: 1,
      granted: 1,
      resolution_business_days_p50: 3,
      first_payment_business_days_p50: 4,
      amount_granted: 150,
    });
  });

  it('gives nothing but zeros and nulls over no cases', () => {
    const empty = computeIndicators([], ctx);
    for (const def of INDICATORS)
      expect(empty[def.id]).toBe(def.unit === 'count' || def.unit === 'euros' ? 0 : null);
  });

  it('reads a granted amount from the scheduled payments when the resolution carries no figures', () => {
    const c5 = CASES.find((c) => c.id === '08305-2026-000105')!;
    const old = {
      ...c5,
      steps: c5.steps.map((s) => (s.type === 'resolved' ? { ...s, detail: { note: 'granted' } } : s)),
    };
    const values = computeIndicators([old], { ...ctx, period: { from: '2026-02-01', to: '2026-02-28' } });
    expect(values).toMatchObject({ granted: 1, amount_granted: 2400, first_paid: 1, amount_paid: 400 });
  });
});

describe('breakdowns', () => {
  it('registry availability per service', () => {
    expect(registryAvailability(vilafranca, PERIOD)).toEqual([
      { service: 'aeat', consultations: 3, attempts: 9, failures: 7, availability: 0.2222 },
      { service: 'padro', consultations: 4, attempts: 4, failures: 0, availability: 1 },
    ]);
  });

  it('workload per person at the end of the period', () => {
    expect(workloadPerPerson(vilafranca, PERIOD, roleOf)).toEqual([
      { staffId: 'adm-joan', role: 'administrative', openCases: 2, openTasks: 1, tasksPastSla: 1 },
      { staffId: 'sw-anna', role: 'social_worker', openCases: 2, openTasks: 0, tasksPastSla: 2 },
    ]);
  });

  it('workload week by week, per role of the assignee at the time', () => {
    expect(workloadOverTime(vilafranca, PERIOD, roleOf)).toEqual([
      {
        weekEnding: '2026-04-05',
        openCases: 4,
        openTasks: 2,
        openCasesByRole: { administrative: 2, social_worker: 2 },
      },
      {
        weekEnding: '2026-04-12',
        openCases: 4,
        openTasks: 1,
        openCasesByRole: { administrative: 2, social_worker: 2 },
      },
    ]);
  });

  it('who had a case on a day, from reassignments with or without their figures', () => {
    const c5 = CASES.find((c) => c.id === '08305-2026-000105')!;
    expect(assigneeOn(c5, '2026-04-02')).toBe('adm-joan');
    expect(assigneeOn(c5, '2026-04-03')).toBe('sw-anna');
    const old = {
      ...c5,
      steps: c5.steps.map((s) => (s.type === 'reassigned' ? { ...s, detail: { note: s.note } } : s)),
    };
    expect(assigneeOn(old, '2026-04-02')).toBe('adm-joan');
    expect(assigneeOn(old, '2026-04-04')).toBe('sw-anna');
  });
});

describe('small-count suppression', () => {
  const zero = Object.fromEntries(INDICATOR_IDS.map((id) => [id, 0])) as IndicatorValues;
  const row = (
    municipality: string | null,
    benefit: string | null,
    v: Partial<IndicatorValues>,
  ): IndicatorRow => ({
    municipality,
    benefit,
    values: { ...zero, ...v },
  });

  it('withholds counts from 1 to the threshold − 1, never zeros or larger counts', () => {
    const [r] = suppressSmallCounts([row('08305', null, { received: 4, granted: 5, refused: 0 })], 5);
    expect(r?.values.received).toBeNull();
    expect(r?.values.granted).toBe(5);
    expect(r?.values.refused).toBe(0);
    expect(r?.suppressed).toContain('received');
  });

  it('withholds what is computed over a small base', () => {
    const [r] = suppressSmallCounts(
      [
        row('08305', null, {
          resolved: 3,
          granted: 0,
          refused: 0,
          withdrawn_remedy_expired: 0,
          resolution_business_days_p50: 7,
          amount_granted: 0,
          received: 9,
          data_from_administrations_share: 0.5,
        }),
      ],
      5,
    );
    expect(r?.values.resolution_business_days_p50).toBeNull();
    expect(r?.values.data_from_administrations_share).toBe(0.5);
  });

  it('withholds a second cell so that no withheld one can be recovered from a total', () => {
    const rows = suppressSmallCounts(
      [
        row('08305', null, { received: 12 }),
        row('08305', 'URGENCY_FOOD', { received: 9 }),
        row('08305', 'RENT', { received: 3 }),
        row('08305', 'SCHOOL_MEALS', { received: 0 }),
      ],
      5,
    );
    const received = rows.map((r) => r.values.received);
    // RENT is small; URGENCY_FOOD would give it away as 12 − 9, so it goes too; the total stays.
    expect(received).toEqual([12, null, null, 0]);
  });

  it('follows sums across municipalities and between outcomes until nothing can be recovered', () => {
    const rows = suppressSmallCounts(
      [
        row(null, null, { resolved: 20, granted: 14, refused: 6 }),
        row('08305', null, { resolved: 12, granted: 8, refused: 4 }),
        row('08096', null, { resolved: 8, granted: 6, refused: 2 }),
      ],
      5,
    );
    for (const r of rows) {
      const v = r.values;
      // Every sum has no withheld term or at least two.
      const withheldOutcomes = [v.resolved, v.granted, v.refused, v.withdrawn_remedy_expired].filter(
        (x) => x === null,
      );
      expect(withheldOutcomes.length).not.toBe(1);
    }
    const refused = rows.map((r) => r.values.refused);
    expect(refused.filter((x) => x === null).length).not.toBe(1);
    expect(refused[1]).toBeNull();
    expect(refused[2]).toBeNull();
  });
});
