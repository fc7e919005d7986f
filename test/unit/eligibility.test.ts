import { pinBenefit } from '../../domain/catalogue';
import type { PinnedBenefit } from '../../domain/catalogue';
import { evaluateEligibility } from '../../domain/eligibility';
import type { EligibilityFacts } from '../../domain/eligibility';
import { loadCatalogue } from '../../adapters/reference-data/catalogue';

const catalogue = loadCatalogue();
function pinned(benefit: string, on = '2026-03-02', town = '08187'): PinnedBenefit {
  const p = pinBenefit(catalogue, town, benefit, on);
  if (!p) throw new Error(`no ${benefit} in force`);
  return p;
}

/** Applicant (40), another adult, and two children (10 and 7) on 2 March 2026. */
function family(overrides: Partial<EligibilityFacts> = {}): EligibilityFacts {
  return {
    asOf: '2026-03-02',
    applicant: { birthDate: '1986-05-10' },
    household: [
      { role: 'applicant', birthDate: '1986-05-10' },
      { role: 'member', birthDate: '1984-01-20' },
      { role: 'member', birthDate: '2015-09-01' },
      { role: 'member', birthDate: '2018-11-30' },
    ],
    monthlyIncome: 1100,
    savings: 500,
    registeredInMunicipality: true,
    residenceSince: '2019-02-01',
    benefitsReceived: { IMV: 0, RGC: 0 },
    previousAid: [],
    ...overrides,
  };
}

const outcomeOf = (r: ReturnType<typeof evaluateEligibility>, criterion: string) =>
  r.criteria.find((c) => c.criterion === criterion)?.outcome;

describe('urgency food aid (Sabadell 2026.1: 1 × IRSC 615 €, weights 0.5 per adult and 0.3 per child)', () => {
  it('grants a family under the threshold, with its figures, reasons and amount', () => {
    const r = evaluateEligibility(pinned('URGENCY_FOOD'), family());
    expect(r.outcome).toBe('eligible');
    const income = r.criteria.find((c) => c.criterion === 'income_below_threshold');
    // 615 × (1 + 0.5 + 2 × 0.3) = 615 × 2.1 = 1,291.50 €
    expect(income?.figures).toMatchObject({
      threshold: 1291.5,
      monthlyIncome: 1100,
      householdSize: 4,
      weight: 2.1,
    });
    expect(income?.reason.ca).toContain('per sota del llindar de 1.291,50 €');
    expect(income?.reason.es).toContain('por debajo del umbral de 1.291,50 €');
    // 150 base + 50 for the other adult + 2 × 40 for the children
    expect(r.amount).toMatchObject({ amount: 280, total: 280, instalments: 1 });
    expect(r.amount?.breakdown.map((l) => l.amount)).toEqual([150, 50, 80]);
  });

  it('refuses above the threshold and says by how much', () => {
    const r = evaluateEligibility(pinned('URGENCY_FOOD'), family({ monthlyIncome: 1300 }));
    expect(r.outcome).toBe('not_eligible');
    expect(outcomeOf(r, 'income_below_threshold')).toBe('fail');
    expect(r.amount).toBeUndefined();
  });

  it('is incomplete, not refused, while the income is unknown', () => {
    const r = evaluateEligibility(pinned('URGENCY_FOOD'), family({ monthlyIncome: undefined }));
    expect(r.outcome).toBe('incomplete');
    expect(outcomeOf(r, 'income_below_threshold')).toBe('unknown');
    expect(r.criteria.find((c) => c.criterion === 'income_below_threshold')?.reason.ca).toMatch(
      /^Falta informació/,
    );
  });

  it.each([
    ['2026-01-15', 'fail'],
    ['2025-12-03', 'fail'],
    ['2025-12-02', 'pass'],
    ['2025-11-15', 'pass'],
  ])(
    'same aid granted on %s → no_recent_aid %s (3 months before 2 March 2026 is 2 December)',
    (grantedOn, outcome) => {
      const r = evaluateEligibility(
        pinned('URGENCY_FOOD'),
        family({ previousAid: [{ benefitCode: 'URGENCY_FOOD', grantedOn }] }),
      );
      expect(outcomeOf(r, 'no_recent_aid')).toBe(outcome);
    },
  );

  it('ignores recent aid of another kind', () => {
    const r = evaluateEligibility(
      pinned('URGENCY_FOOD'),
      family({ previousAid: [{ benefitCode: 'RENT', grantedOn: '2026-02-01' }] }),
    );
    expect(outcomeOf(r, 'no_recent_aid')).toBe('pass');
  });

  it('requires 18 years unless emancipated', () => {
    const minor = { birthDate: '2008-06-01' };
    expect(
      outcomeOf(evaluateEligibility(pinned('URGENCY_FOOD'), family({ applicant: minor })), 'minimum_age'),
    ).toBe('fail');
    expect(
      outcomeOf(
        evaluateEligibility(pinned('URGENCY_FOOD'), family({ applicant: { ...minor, emancipated: true } })),
        'minimum_age',
      ),
    ).toBe('pass');
  });

  it('refuses savings above 3 × IRSC (1,845 €)', () => {
    expect(
      outcomeOf(evaluateEligibility(pinned('URGENCY_FOOD'), family({ savings: 1845 })), 'savings_below'),
    ).toBe('pass');
    expect(
      outcomeOf(evaluateEligibility(pinned('URGENCY_FOOD'), family({ savings: 1845.01 })), 'savings_below'),
    ).toBe('fail');
  });

  it('caps the amount at the maximum and shows the cap in the breakdown', () => {
    const big = family({
      monthlyIncome: 100,
      household: [
        { role: 'applicant', birthDate: '1980-01-01' },
        ...['1982-01-01', '1960-01-01', '2000-01-01'].map((birthDate) => ({
          role: 'member' as const,
          birthDate,
        })),
        ...['2012-01-01', '2014-01-01', '2016-01-01', '2019-01-01'].map((birthDate) => ({
          role: 'member' as const,
          birthDate,
        })),
      ],
    });
    const r = evaluateEligibility(pinned('URGENCY_FOOD'), big);
    // 150 + 3 × 50 + 4 × 40 = 460, capped at 400
    expect(r.amount?.amount).toBe(400);
    expect(r.amount?.breakdown.at(-1)).toMatchObject({
      amount: -60,
      label: { ca: 'Límit màxim de 400,00 €' },
    });
  });

  it('uses the version pinned at filing: Vilafranca raised the aid in July 2026', () => {
    expect(evaluateEligibility(pinned('URGENCY_FOOD', '2026-06-30', '08305'), family()).amount?.amount).toBe(
      280,
    );
    // 180 + 60 + 2 × 50
    expect(evaluateEligibility(pinned('URGENCY_FOOD', '2026-07-01', '08305'), family()).amount?.amount).toBe(
      340,
    );
  });
});

describe('municipal complement to IMV and RGC (gap to the scale 739 € + 369 € per adult + 221 € per child, max 500 €)', () => {
  const parentAndChild = (o: Partial<EligibilityFacts> = {}) =>
    family({
      household: [
        { role: 'applicant', birthDate: '1986-05-10' },
        { role: 'member', birthDate: '2018-11-30' },
      ],
      monthlyIncome: 600,
      benefitsReceived: { IMV: 400, RGC: 0 },
      ...o,
    });

  it('pays the gap between the scale and the household income each month', () => {
    const r = evaluateEligibility(pinned('INCOME_COMPLEMENT'), parentAndChild());
    expect(r.outcome).toBe('eligible');
    // 739 + 221 − 600 = 360 a month, 12 instalments
    expect(r.amount).toMatchObject({ amount: 360, total: 4320, instalments: 12 });
    expect(r.criteria.find((c) => c.criterion === 'receives_or_applied_for')?.reason.ca).toBe('Percep IMV.');
  });

  it('pays nothing when income already reaches the scale', () => {
    expect(
      evaluateEligibility(pinned('INCOME_COMPLEMENT'), parentAndChild({ monthlyIncome: 1000 })).amount
        ?.amount,
    ).toBe(0);
  });

  it('requires 24 months of residence', () => {
    const r = evaluateEligibility(
      pinned('INCOME_COMPLEMENT'),
      parentAndChild({ residenceSince: '2024-03-03' }),
    );
    expect(outcomeOf(r, 'residence_seniority')).toBe('fail');
    expect(
      outcomeOf(
        evaluateEligibility(pinned('INCOME_COMPLEMENT'), parentAndChild({ residenceSince: '2024-03-02' })),
        'residence_seniority',
      ),
    ).toBe('pass');
  });

  it('requires receiving or having applied for IMV or RGC; unknown until the registries answer', () => {
    const none = { benefitsReceived: { IMV: 0, RGC: 0 } };
    expect(
      outcomeOf(
        evaluateEligibility(pinned('INCOME_COMPLEMENT'), parentAndChild(none)),
        'receives_or_applied_for',
      ),
    ).toBe('fail');
    expect(
      outcomeOf(
        evaluateEligibility(
          pinned('INCOME_COMPLEMENT'),
          parentAndChild({ ...none, benefitsApplied: ['RGC'] }),
        ),
        'receives_or_applied_for',
      ),
    ).toBe('pass');
    expect(
      outcomeOf(
        evaluateEligibility(pinned('INCOME_COMPLEMENT'), parentAndChild({ benefitsReceived: undefined })),
        'receives_or_applied_for',
      ),
    ).toBe('unknown');
  });
});

describe('rent, supplies and school meals', () => {
  it('covers half the rent up to 300 € a month for six months', () => {
    const r = evaluateEligibility(pinned('RENT'), family({ monthlyIncome: 1500, cost: 650 }));
    expect(r.outcome).toBe('eligible');
    expect(r.amount).toMatchObject({ amount: 300, total: 1800, instalments: 6 });
  });

  it('cannot compute a share of an unknown cost, and says so', () => {
    const r = evaluateEligibility(pinned('RENT'), family({ monthlyIncome: 1500 }));
    expect(r.amount).toBeUndefined();
    expect(r.amountUnknown?.ca).toMatch(/cost a cobrir/);
  });

  it('applies the energy-poverty threshold of 2 × IRSC, scaled by household', () => {
    // 615 × 2 × 2.1 = 2,583 €
    const r = evaluateEligibility(pinned('BASIC_SUPPLIES'), family({ monthlyIncome: 2583, cost: 212.4 }));
    expect(r.criteria.find((c) => c.criterion === 'income_below_threshold')?.figures.threshold).toBe(2583);
    expect(r.amount).toMatchObject({ amount: 212.4, total: 212.4 });
  });

  it('pays school meals per child and month over ten months', () => {
    const r = evaluateEligibility(pinned('SCHOOL_MEALS'), family());
    expect(r.amount).toMatchObject({ amount: 228.9, total: 2289, instalments: 10 });
  });
});

describe('incompatible benefits (an ordinance that excludes people receiving IMV or RGC)', () => {
  const base = pinned('URGENCY_FOOD');
  const exclusive: PinnedBenefit = {
    ...base,
    benefit: {
      ...base.benefit,
      eligibility: [{ type: 'no_incompatible_benefits', benefits: ['IMV', 'RGC'] }],
    },
  };

  it.each([
    [{ IMV: 0, RGC: 0 }, 'pass'],
    [{ IMV: 0, RGC: 664.5 }, 'fail'],
    [{ IMV: 0 }, 'unknown'],
    [undefined, 'unknown'],
  ])('received %j → %s', (benefitsReceived, outcome) => {
    const r = evaluateEligibility(exclusive, family({ benefitsReceived }));
    expect(r.criteria[0]?.outcome).toBe(outcome);
    if (outcome === 'fail') {
      expect(r.criteria[0]?.figures).toEqual({ RGC: 664.5 });
      expect(r.criteria[0]?.reason.ca).toBe('Percep RGC (664,50 €), incompatible amb aquest ajut.');
    }
  });
});
