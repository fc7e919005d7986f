/**
 * The benefit catalogue: versioned definitions per municipality, as data validated by zod. Each version has
 * an effective-from date; the version in force when an application is filed is pinned to it, so that a
 * later version never changes an application in flight.
 *
 * Figures follow ../shared/domain.md (IRSC, IPREM, the Vila-seca household scale, Llei 24/2015 energy
 * thresholds, Vilafranca's eligibility rules); each municipality's ordinance sets its own.
 */
import { z } from 'zod';
import { BENEFIT_CODES } from './benefits';
import { isIsoDate } from './dates';
import type { IsoDate } from './dates';
import { MUNICIPALITY_CODES } from './municipalities';
import { REMINDED_DEADLINES, REMINDER_AUDIENCES } from './reminders';
import type { ReminderCadences, RemindedDeadline } from './reminders';

const isoDate = z.string().refine(isIsoDate, 'must be a calendar date YYYY-MM-DD');
const text = z.object({ ca: z.string().min(1), es: z.string().min(1) });
const money = z.number().nonnegative().multipleOf(0.01);

export const INDICATORS = ['IRSC', 'IPREM'] as const;
export type Indicator = (typeof INDICATORS)[number];

/** Registry services that can provide a document instead of the citizen (Llei 39/2015 art. 28.2). */
export const REGISTRY_SERVICES = [
  'PADRO',
  'PADRO_HISTORIC',
  'AEAT_IRPF',
  'AEAT_DADES',
  'SCSP_TGSS',
  'INSS_PRESTACIONS',
  'TSD_INTEGRANTS',
  'SEPE',
  'SOC',
  'RGC_CONSULTA',
  'RGC_CONSULTA_HISTORIC',
  'GRAU_DISCAPACITAT',
  'DEPENDENCIA',
  'TFN',
  'TFM',
] as const;

/** Household weights: the first member counts 1, each further adult and each child a share of the base. */
const householdWeights = z.object({
  additionalAdult: z.number().min(0).max(1),
  child: z.number().min(0).max(1),
});

export const criterionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('minimum_age'), years: z.number().int().min(0), allowEmancipated: z.boolean() }),
  z.object({ type: z.literal('registered_in_municipality') }),
  z.object({ type: z.literal('residence_seniority'), months: z.number().int().min(1) }),
  z.object({
    type: z.literal('income_below_threshold'),
    indicator: z.enum(INDICATORS),
    multiplier: z.number().positive(),
    weights: householdWeights,
  }),
  z.object({
    type: z.literal('savings_below'),
    indicator: z.enum(INDICATORS),
    multiplier: z.number().positive(),
  }),
  z.object({ type: z.literal('no_incompatible_benefits'), benefits: z.array(z.enum(['IMV', 'RGC'])).min(1) }),
  z.object({
    type: z.literal('receives_or_applied_for'),
    benefits: z.array(z.enum(['IMV', 'RGC'])).min(1),
  }),
  z.object({ type: z.literal('no_recent_aid'), months: z.number().int().min(1) }),
]);
export type Criterion = z.infer<typeof criterionSchema>;

/** Every formula gives the amount of one payment; a monthly schedule pays it once per instalment. */
export const amountFormulaSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('fixed'), amount: money }),
  z.object({
    type: z.literal('household_scale'),
    base: money,
    perAdditionalAdult: money,
    perChild: money,
    max: money.optional(),
  }),
  z.object({
    type: z.literal('gap_to_scale'),
    base: money,
    perAdditionalAdult: money,
    perChild: money,
    max: money,
  }),
  z.object({ type: z.literal('share_of_cost'), percent: z.number().min(1).max(100), max: money }),
  z.object({ type: z.literal('per_child'), perChild: money, max: money.optional() }),
]);
export type AmountFormula = z.infer<typeof amountFormulaSchema>;

const cadenceSchema = z.array(
  z
    .object({
      audience: z.enum(REMINDER_AUDIENCES),
      businessDaysBefore: z.number().int().min(-20).max(60),
    })
    .strict(),
);

const reminderCadencesSchema = z
  .object(
    Object.fromEntries(REMINDED_DEADLINES.map((k) => [k, cadenceSchema.optional()])) as {
      [K in RemindedDeadline]: z.ZodOptional<typeof cadenceSchema>;
    },
  )
  .strict() satisfies z.ZodType<ReminderCadences>;

const period = z.object({
  amount: z.number().int().min(1),
  unit: z.enum(['business_days', 'calendar_days', 'months']),
});

export const benefitDefinitionSchema = z
  .object({
    code: z.enum(BENEFIT_CODES),
    hestiaCode: z.string().min(1),
    name: text,
    legalBasis: z.string().min(1),
    requiredDocuments: z
      .array(
        z.object({
          code: z.string().regex(/^[A-Z_]+$/),
          name: text,
          /** Who it is asked of. */
          of: z.enum(['applicant', 'each_adult', 'household']),
          /** The registry that holds it, when the office can consult it instead of asking. */
          registry: z.enum(REGISTRY_SERVICES).optional(),
          /** Tax data need express consent (`Si`); others are consulted unless the person objects. */
          consent: z.enum(['Si', 'NoOpo', 'Ley']).optional(),
          /** Only when the household has a member with this circumstance. */
          onlyIf: z
            .enum(['disability', 'dependency', 'large_family', 'single_parent', 'children'])
            .optional(),
        }),
      )
      .min(1),
    eligibility: z.array(criterionSchema).min(1),
    amount: amountFormulaSchema,
    payment: z.object({
      schedule: z.discriminatedUnion('type', [
        z.object({ type: z.literal('one_off') }),
        z.object({ type: z.literal('monthly'), instalments: z.number().int().min(2).max(24) }),
      ]),
      recipient: z.enum(['person', 'supplier', 'card']),
    }),
    justification: z.discriminatedUnion('required', [
      z.object({ required: z.literal(false) }),
      z.object({ required: z.literal(true), deadline: period }),
    ]),
    /** Art. 21.2: at most 6 months; the ordinance sets it. */
    maxTimeToResolve: z.object({ amount: z.number().int().min(1).max(6), unit: z.literal('months') }),
    /** Arts. 24-25; aid treated as a subsidy means refusal (Llei 38/2003 art. 25.5). */
    silence: z.enum(['approval', 'refusal']),
    renewal: z.object({ periodMonths: z.number().int().min(1).max(24) }).nullable(),
    /** Reminder cadences of this benefit; the office's defaults (domain/reminders.ts) where absent. */
    reminders: reminderCadencesSchema.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const registry = b.requiredDocuments.find((d) => d.registry === 'AEAT_IRPF' && d.consent !== 'Si');
    if (registry) {
      ctx.addIssue({
        code: 'custom',
        message: `${registry.code}: tax data need express consent (Si)`,
        path: ['requiredDocuments'],
      });
    }
  });
export type BenefitDefinition = z.infer<typeof benefitDefinitionSchema>;

export const catalogueVersionSchema = z
  .object({
    municipalityCode: z.enum(MUNICIPALITY_CODES),
    version: z.string().regex(/^\d{4}\.\d+$/),
    effectiveFrom: isoDate,
    indicators: z.object({ IRSC: money.positive(), IPREM: money.positive() }),
    benefits: z.array(benefitDefinitionSchema).min(1),
  })
  .strict()
  .superRefine((c, ctx) => {
    const codes = c.benefits.map((b) => b.code);
    const dup = codes.find((code, i) => codes.indexOf(code) !== i);
    if (dup) ctx.addIssue({ code: 'custom', message: `benefit ${dup} appears twice`, path: ['benefits'] });
  });
export type CatalogueVersion = z.infer<typeof catalogueVersionSchema>;

/** What an application carries of the catalogue: the version and the one benefit it asks for. */
export interface PinnedBenefit {
  municipalityCode: string;
  version: string;
  effectiveFrom: IsoDate;
  indicators: CatalogueVersion['indicators'];
  benefit: BenefitDefinition;
}

/** The version in force on a date: the latest one whose effective-from date is not after it. */
export function versionInForce(versions: readonly CatalogueVersion[], municipalityCode: string, on: IsoDate) {
  return versions
    .filter((v) => v.municipalityCode === municipalityCode && v.effectiveFrom <= on)
    .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0];
}

export function pinBenefit(
  versions: readonly CatalogueVersion[],
  municipalityCode: string,
  benefitCode: string,
  on: IsoDate,
): PinnedBenefit | undefined {
  const version = versionInForce(versions, municipalityCode, on);
  const benefit = version?.benefits.find((b) => b.code === benefitCode);
  if (!version || !benefit) return undefined;
  return {
    municipalityCode,
    version: version.version,
    effectiveFrom: version.effectiveFrom,
    indicators: version.indicators,
    benefit,
  };
}
