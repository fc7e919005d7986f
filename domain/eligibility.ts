/**
 * Eligibility of an application against its pinned catalogue version: each criterion passes, fails, or is
 * unknown (data missing), with the figures used and a plain-language reason in Catalan and Spanish that the
 * social report and the resolution can quote. The amount comes with its breakdown.
 */
import type { AmountFormula, Criterion, PinnedBenefit } from './catalogue';
import { daysBetween, plusMonths } from './dates';
import type { IsoDate } from './dates';

export interface HouseholdMember {
  /** The applicant is the first member. */
  role: 'applicant' | 'member';
  birthDate?: IsoDate | undefined;
}

export interface PreviousAid {
  benefitCode: string;
  grantedOn: IsoDate;
}

/** What is known about the application; undefined means not known yet (asked of a registry or the person). */
export interface EligibilityFacts {
  /** The date the evaluation refers to (the effective filing date). */
  asOf: IsoDate;
  applicant: { birthDate?: IsoDate | undefined; emancipated?: boolean | undefined };
  household: HouseholdMember[];
  /** Monthly income of the whole household, euros. */
  monthlyIncome?: number | undefined;
  savings?: number | undefined;
  registeredInMunicipality?: boolean | undefined;
  residenceSince?: IsoDate | undefined;
  /** Monthly amounts received; 0 when the registry says none, undefined when not consulted. */
  benefitsReceived?: { IMV?: number | undefined; RGC?: number | undefined } | undefined;
  benefitsApplied?: ('IMV' | 'RGC')[] | undefined;
  previousAid: PreviousAid[];
  /** The cost the aid covers (a bill, a month's rent), euros. */
  cost?: number | undefined;
}

export type Outcome = 'pass' | 'fail' | 'unknown';

export interface Reason {
  ca: string;
  es: string;
}

export interface CriterionResult {
  criterion: Criterion['type'];
  outcome: Outcome;
  figures: Record<string, number | string | boolean>;
  reason: Reason;
}

export interface AmountLine {
  label: Reason;
  amount: number;
}

export interface AmountResult {
  /** Per instalment when the schedule is monthly. */
  amount: number;
  total: number;
  instalments: number;
  breakdown: AmountLine[];
}

export interface EligibilityResult {
  outcome: 'eligible' | 'not_eligible' | 'incomplete';
  catalogueVersion: string;
  benefitCode: string;
  criteria: CriterionResult[];
  /** Present when nothing fails; figures may still depend on unknown criteria when incomplete. */
  amount?: AmountResult | undefined;
  /** Why no amount was computed (data it needs is missing). */
  amountUnknown?: Reason | undefined;
}

const euro = (n: number): string =>
  `${n.toLocaleString('ca-ES', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} €`;

const round2 = (n: number): number => Math.round(n * 100) / 100;

function ageOn(birthDate: IsoDate, on: IsoDate): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** Adults beyond the applicant and children (under 18); members without a birth date count as adults. */
export function householdComposition(facts: EligibilityFacts): {
  size: number;
  additionalAdults: number;
  children: number;
} {
  const others = facts.household.filter((m) => m.role !== 'applicant');
  const children = others.filter(
    (m) => m.birthDate !== undefined && ageOn(m.birthDate, facts.asOf) < 18,
  ).length;
  return { size: others.length + 1, additionalAdults: others.length - children, children };
}

function result(
  criterion: Criterion['type'],
  outcome: Outcome,
  figures: CriterionResult['figures'],
  reason: Reason,
): CriterionResult {
  return { criterion, outcome, figures, reason };
}

const unknown = (criterion: Criterion['type'], what: Reason): CriterionResult =>
  result(
    criterion,
    'unknown',
    {},
    {
      ca: `Falta informació: ${what.ca}.`,
      es: `Falta información: ${what.es}.`,
    },
  );

function evaluateCriterion(c: Criterion, facts: EligibilityFacts, pinned: PinnedBenefit): CriterionResult {
  switch (c.type) {
    case 'minimum_age': {
      const birth = facts.applicant.birthDate;
      if (!birth) return unknown(c.type, { ca: 'la data de naixement', es: 'la fecha de nacimiento' });
      const age = ageOn(birth, facts.asOf);
      const emancipated = c.allowEmancipated && facts.applicant.emancipated === true;
      const ok = age >= c.years || emancipated;
      return result(
        c.type,
        ok ? 'pass' : 'fail',
        { age, minimum: c.years, emancipated },
        ok
          ? {
              ca: `Té ${age} anys${emancipated && age < c.years ? ' i està emancipat/da' : ''}.`,
              es: `Tiene ${age} años${emancipated && age < c.years ? ' y está emancipado/a' : ''}.`,
            }
          : {
              ca: `Té ${age} anys; cal tenir-ne ${c.years} o estar emancipat/da.`,
              es: `Tiene ${age} años; debe tener ${c.years} o estar emancipado/a.`,
            },
      );
    }
    case 'registered_in_municipality': {
      const reg = facts.registeredInMunicipality;
      if (reg === undefined) return unknown(c.type, { ca: "l'empadronament", es: 'el empadronamiento' });
      return result(
        c.type,
        reg ? 'pass' : 'fail',
        { registered: reg },
        reg
          ? { ca: 'Està empadronat/da al municipi.', es: 'Está empadronado/a en el municipio.' }
          : { ca: 'No consta empadronat/da al municipi.', es: 'No consta empadronado/a en el municipio.' },
      );
    }
    case 'residence_seniority': {
      const since = facts.residenceSince;
      if (!since)
        return unknown(c.type, { ca: "l'antiguitat de residència", es: 'la antigüedad de residencia' });
      const required = plusMonths(since, c.months);
      const ok = required <= facts.asOf;
      return result(
        c.type,
        ok ? 'pass' : 'fail',
        { residentSince: since, requiredMonths: c.months, daysResident: daysBetween(since, facts.asOf) },
        ok
          ? {
              ca: `Hi resideix des del ${since}: més de ${c.months} mesos.`,
              es: `Reside desde el ${since}: más de ${c.months} meses.`,
            }
          : {
              ca: `Hi resideix des del ${since}: no arriba als ${c.months} mesos requerits (fins al ${required}).`,
              es: `Reside desde el ${since}: no llega a los ${c.months} meses requeridos (hasta el ${required}).`,
            },
      );
    }
    case 'income_below_threshold': {
      const income = facts.monthlyIncome;
      if (income === undefined)
        return unknown(c.type, {
          ca: 'els ingressos de la unitat de convivència',
          es: 'los ingresos de la unidad de convivencia',
        });
      const h = householdComposition(facts);
      const weight = 1 + h.additionalAdults * c.weights.additionalAdult + h.children * c.weights.child;
      const threshold = round2(pinned.indicators[c.indicator] * c.multiplier * weight);
      const ok = income <= threshold;
      const figures = {
        monthlyIncome: income,
        threshold,
        indicator: c.indicator,
        indicatorValue: pinned.indicators[c.indicator],
        multiplier: c.multiplier,
        householdSize: h.size,
        weight,
      };
      const basis = `${c.multiplier} × ${c.indicator} (${euro(pinned.indicators[c.indicator])}) × ${weight} per a ${h.size} membres`;
      const basisEs = `${c.multiplier} × ${c.indicator} (${euro(pinned.indicators[c.indicator])}) × ${weight} para ${h.size} miembros`;
      return result(
        c.type,
        ok ? 'pass' : 'fail',
        figures,
        ok
          ? {
              ca: `Ingressos mensuals de ${euro(income)}, per sota del llindar de ${euro(threshold)} (${basis}).`,
              es: `Ingresos mensuales de ${euro(income)}, por debajo del umbral de ${euro(threshold)} (${basisEs}).`,
            }
          : {
              ca: `Ingressos mensuals de ${euro(income)}, per sobre del llindar de ${euro(threshold)} (${basis}).`,
              es: `Ingresos mensuales de ${euro(income)}, por encima del umbral de ${euro(threshold)} (${basisEs}).`,
            },
      );
    }
    case 'savings_below': {
      const savings = facts.savings;
      if (savings === undefined) return unknown(c.type, { ca: 'els estalvis', es: 'los ahorros' });
      const limit = round2(pinned.indicators[c.indicator] * c.multiplier);
      const ok = savings <= limit;
      return result(
        c.type,
        ok ? 'pass' : 'fail',
        { savings, limit },
        ok
          ? {
              ca: `Estalvis de ${euro(savings)}, no superiors a ${euro(limit)}.`,
              es: `Ahorros de ${euro(savings)}, no superiores a ${euro(limit)}.`,
            }
          : {
              ca: `Estalvis de ${euro(savings)}, superiors al límit de ${euro(limit)}.`,
              es: `Ahorros de ${euro(savings)}, superiores al límite de ${euro(limit)}.`,
            },
      );
    }
    case 'no_incompatible_benefits': {
      const received = facts.benefitsReceived;
      const amounts = c.benefits.map((b) => [b, received?.[b]] as const);
      const receiving = amounts.filter(([, a]) => a !== undefined && a > 0);
      if (receiving.length > 0) {
        const list = receiving.map(([b, a]) => `${b} (${euro(a as number)})`).join(', ');
        return result(c.type, 'fail', Object.fromEntries(receiving.map(([b, a]) => [b, a as number])), {
          ca: `Percep ${list}, incompatible amb aquest ajut.`,
          es: `Percibe ${list}, incompatible con esta ayuda.`,
        });
      }
      if (amounts.some(([, a]) => a === undefined))
        return unknown(c.type, {
          ca: `si percep ${c.benefits.join(' o ')}`,
          es: `si percibe ${c.benefits.join(' o ')}`,
        });
      return result(
        c.type,
        'pass',
        {},
        { ca: `No percep ${c.benefits.join(' ni ')}.`, es: `No percibe ${c.benefits.join(' ni ')}.` },
      );
    }
    case 'receives_or_applied_for': {
      const received = c.benefits.filter((b) => (facts.benefitsReceived?.[b] ?? 0) > 0);
      const applied = c.benefits.filter((b) => facts.benefitsApplied?.includes(b));
      if (received.length > 0 || applied.length > 0) {
        const what =
          received.length > 0 ? `Percep ${received.join(' i ')}` : `Ha sol·licitat ${applied.join(' i ')}`;
        const whatEs =
          received.length > 0 ? `Percibe ${received.join(' y ')}` : `Ha solicitado ${applied.join(' y ')}`;
        return result(
          c.type,
          'pass',
          { received: received.join(','), applied: applied.join(',') },
          { ca: `${what}.`, es: `${whatEs}.` },
        );
      }
      if (c.benefits.some((b) => facts.benefitsReceived?.[b] === undefined)) {
        return unknown(c.type, {
          ca: `si percep o ha sol·licitat ${c.benefits.join(' o ')}`,
          es: `si percibe o ha solicitado ${c.benefits.join(' o ')}`,
        });
      }
      return result(
        c.type,
        'fail',
        {},
        {
          ca: `No percep ni ha sol·licitat ${c.benefits.join(' ni ')}, que aquest complement requereix.`,
          es: `No percibe ni ha solicitado ${c.benefits.join(' ni ')}, que este complemento requiere.`,
        },
      );
    }
    case 'no_recent_aid': {
      const since = plusMonths(facts.asOf, -c.months);
      const recent = facts.previousAid
        .filter(
          (a) => a.benefitCode === pinned.benefit.code && a.grantedOn > since && a.grantedOn <= facts.asOf,
        )
        .sort((a, b) => (a.grantedOn < b.grantedOn ? 1 : -1))[0];
      return result(
        c.type,
        recent ? 'fail' : 'pass',
        { months: c.months, ...(recent ? { lastGrantedOn: recent.grantedOn } : {}) },
        recent
          ? {
              ca: `Va rebre el mateix ajut el ${recent.grantedOn}, dins dels darrers ${c.months} mesos.`,
              es: `Recibió la misma ayuda el ${recent.grantedOn}, dentro de los últimos ${c.months} meses.`,
            }
          : {
              ca: `No ha rebut el mateix ajut en els darrers ${c.months} mesos.`,
              es: `No ha recibido la misma ayuda en los últimos ${c.months} meses.`,
            },
      );
    }
  }
}

function scaleLines(
  f: { base: number; perAdditionalAdult: number; perChild: number },
  h: ReturnType<typeof householdComposition>,
): AmountLine[] {
  return [
    { label: { ca: 'Import base', es: 'Importe base' }, amount: f.base },
    ...(h.additionalAdults > 0
      ? [
          {
            label: {
              ca: `${h.additionalAdults} adult(s) més × ${euro(f.perAdditionalAdult)}`,
              es: `${h.additionalAdults} adulto(s) más × ${euro(f.perAdditionalAdult)}`,
            },
            amount: round2(h.additionalAdults * f.perAdditionalAdult),
          },
        ]
      : []),
    ...(h.children > 0
      ? [
          {
            label: {
              ca: `${h.children} infant(s) × ${euro(f.perChild)}`,
              es: `${h.children} menor(es) × ${euro(f.perChild)}`,
            },
            amount: round2(h.children * f.perChild),
          },
        ]
      : []),
  ];
}

function capped(lines: AmountLine[], max: number | undefined): AmountLine[] {
  const sum = round2(lines.reduce((s, l) => s + l.amount, 0));
  if (max === undefined || sum <= max) return lines;
  return [
    ...lines,
    {
      label: { ca: `Límit màxim de ${euro(max)}`, es: `Límite máximo de ${euro(max)}` },
      amount: round2(max - sum),
    },
  ];
}

/** The amount per payment, with its breakdown, or what is missing to compute it. */
export function computeAmount(
  formula: AmountFormula,
  facts: EligibilityFacts,
): { lines: AmountLine[] } | { missing: Reason } {
  const h = householdComposition(facts);
  switch (formula.type) {
    case 'fixed':
      return { lines: [{ label: { ca: 'Import fix', es: 'Importe fijo' }, amount: formula.amount }] };
    case 'household_scale':
      return { lines: capped(scaleLines(formula, h), formula.max) };
    case 'gap_to_scale': {
      if (facts.monthlyIncome === undefined)
        return { missing: { ca: 'els ingressos mensuals', es: 'los ingresos mensuales' } };
      const lines = scaleLines(formula, h);
      const otherIncome = round2(facts.monthlyIncome);
      const gap = [
        ...lines,
        {
          label: { ca: 'Ingressos de la unitat de convivència', es: 'Ingresos de la unidad de convivencia' },
          amount: -otherIncome,
        },
      ];
      const sum = round2(gap.reduce((s, l) => s + l.amount, 0));
      if (sum < 0)
        return {
          lines: [
            ...gap,
            {
              label: { ca: 'Sense diferència a complementar', es: 'Sin diferencia a complementar' },
              amount: -sum,
            },
          ],
        };
      return { lines: capped(gap, formula.max) };
    }
    case 'share_of_cost': {
      if (facts.cost === undefined)
        return { missing: { ca: "l'import del cost a cobrir", es: 'el importe del coste a cubrir' } };
      const share = round2((facts.cost * formula.percent) / 100);
      return {
        lines: capped(
          [
            {
              label: {
                ca: `${formula.percent}% de ${euro(facts.cost)}`,
                es: `${formula.percent}% de ${euro(facts.cost)}`,
              },
              amount: share,
            },
          ],
          formula.max,
        ),
      };
    }
    case 'per_child': {
      const lines = [
        {
          label: {
            ca: `${h.children} infant(s) × ${euro(formula.perChild)}`,
            es: `${h.children} menor(es) × ${euro(formula.perChild)}`,
          },
          amount: round2(h.children * formula.perChild),
        },
      ];
      return { lines: capped(lines, formula.max) };
    }
  }
}

export function evaluateEligibility(pinned: PinnedBenefit, facts: EligibilityFacts): EligibilityResult {
  const criteria = pinned.benefit.eligibility.map((c) => evaluateCriterion(c, facts, pinned));
  const outcome = criteria.some((c) => c.outcome === 'fail')
    ? 'not_eligible'
    : criteria.some((c) => c.outcome === 'unknown')
      ? 'incomplete'
      : 'eligible';
  const base = {
    outcome,
    catalogueVersion: pinned.version,
    benefitCode: pinned.benefit.code,
    criteria,
  } as const;
  if (outcome === 'not_eligible') return base;
  const computed = computeAmount(pinned.benefit.amount, facts);
  if ('missing' in computed)
    return {
      ...base,
      amountUnknown: { ca: `Falta ${computed.missing.ca}.`, es: `Falta ${computed.missing.es}.` },
    };
  const amount = round2(computed.lines.reduce((s, l) => s + l.amount, 0));
  const schedule = pinned.benefit.payment.schedule;
  const instalments = schedule.type === 'monthly' ? schedule.instalments : 1;
  return {
    ...base,
    amount: { amount, total: round2(amount * instalments), instalments, breakdown: computed.lines },
  };
}
