/**
 * The application as filed, validated once at the edge (the API) and handed to the workflow as data.
 */
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { z } from 'zod';
import { BENEFIT_CODES } from './benefits';
import { documentNumberProblem, documentTypeOf, normaliseDocumentNumber } from './identity';
import { MUNICIPALITY_CODES } from './municipalities';
import type { DeclaredFacts } from './application';
import { REGISTRY_SERVICES } from './catalogue';
import { isIsoDate, plusMonths } from './dates';
import type { FieldError } from './errors';
import { text } from './text';

export const applicantSchema = z
  .object({
    firstName: text(100),
    lastName: text(200),
    documentNumber: z
      .string()
      .transform(normaliseDocumentNumber)
      .superRefine((value, ctx) => {
        const problem = documentNumberProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    language: z.enum(['ca', 'es']).default('ca'),
    email: z.email().max(254).optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9 ]{9,15}$/, 'must be a phone number of 9 to 15 digits')
      .optional(),
  })
  .strict()
  .transform((a) => ({ ...a, documentType: documentTypeOf(a.documentNumber) ?? ('DNI' as const) }));

const isoDate = z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD');
const euros = z.number().nonnegative().max(1_000_000);

/** Consent at intake (art. 28.2): registries the person objects to, and express consent for tax data. */
export const consentSchema = z
  .object({
    objections: z.array(z.enum(REGISTRY_SERVICES)).max(REGISTRY_SERVICES.length).default([]),
    taxConsent: z.boolean().default(false),
  })
  .strict();

/** What the person declares; the registries confirm or replace it. */
export const declaredSchema = z
  .object({
    birthDate: isoDate.optional(),
    /** The other members of the household (the applicant is the first). */
    otherMembers: z
      .array(z.object({ birthDate: isoDate.optional() }).strict())
      .max(20)
      .optional(),
    monthlyIncome: euros.optional(),
    savings: euros.optional(),
    cost: euros.optional(),
    residenceSince: isoDate.optional(),
  })
  .strict();

const documentNumber = z
  .string()
  .transform(normaliseDocumentNumber)
  .superRefine((value, ctx) => {
    const problem = documentNumberProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const RELATIONSHIPS = ['partner', 'child', 'parent', 'sibling', 'grandchild', 'other'] as const;

/** Another member of the household (the applicant is not listed). Adults are identified by their document. */
export const householdMemberSchema = z
  .object({
    firstName: text(100),
    lastName: text(200).optional(),
    documentNumber: documentNumber.optional(),
    birthDate: isoDate,
    relationship: z.enum(RELATIONSHIPS),
  })
  .strict();

export const INCOME_SOURCES = [
  'work',
  'pension',
  'unemployment',
  'imv',
  'rgc',
  'maintenance',
  'other',
] as const;

/** A regular income of a member: `member` is 'applicant' or the index of the member in `household`. */
export const incomeSchema = z
  .object({
    member: z.union([z.literal('applicant'), z.number().int().min(0).max(19)]),
    source: z.enum(INCOME_SOURCES),
    monthlyAmount: euros,
  })
  .strict();

export const bankAccountSchema = z
  .object({
    iban: z
      .string()
      .max(42)
      .transform((v) => electronicFormatIBAN(v) ?? '')
      .refine((v) => isValidIBAN(v), 'is not a valid IBAN (country, length or check digits)'),
    holder: text(200),
  })
  .strict();

export const intakeSchema = z
  .object({
    municipalityCode: z.enum(MUNICIPALITY_CODES),
    benefitCode: z.enum(BENEFIT_CODES),
    applicant: applicantSchema,
    consent: consentSchema.default({ objections: [], taxConsent: false }),
    declared: declaredSchema.optional(),
    /** Checklist codes of the documents handed in with the filing. */
    attachedDocuments: z
      .array(z.string().regex(/^[A-Z_]{2,40}$/))
      .max(30)
      .optional(),
    assignee: text(100).optional(),
    household: z.array(householdMemberSchema).max(20).optional(),
    incomes: z.array(incomeSchema).max(50).optional(),
    bankAccount: bankAccountSchema.optional(),
  })
  .strict()
  .superRefine((intake, ctx) => {
    for (const problem of householdProblems(intake)) ctx.addIssue({ code: 'custom', ...problem });
  });

type IntakeShape = {
  applicant: { documentNumber: string };
  declared?:
    | {
        birthDate?: string | undefined;
        residenceSince?: string | undefined;
        otherMembers?: { birthDate?: string | undefined }[] | undefined;
        monthlyIncome?: number | undefined;
      }
    | undefined;
  household?: { documentNumber?: string | undefined; birthDate: string; relationship: string }[] | undefined;
  incomes?: { member: 'applicant' | number }[] | undefined;
};

/** Whether the household holds together: the same person twice, one partner at most, incomes of members that exist. */
export function householdProblems(intake: IntakeShape): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const household = intake.household ?? [];
  const seen = new Map<string, string>([[intake.applicant.documentNumber, 'the applicant']]);
  household.forEach((m, i) => {
    if (!m.documentNumber) return;
    const other = seen.get(m.documentNumber);
    if (other)
      problems.push({
        path: ['household', i, 'documentNumber'],
        message: `is the same document as ${other}`,
      });
    else seen.set(m.documentNumber, `household member ${i}`);
  });
  const partners = household.flatMap((m, i) => (m.relationship === 'partner' ? [i] : []));
  for (const i of partners.slice(1)) {
    problems.push({ path: ['household', i, 'relationship'], message: 'only one partner per household' });
  }
  const applicantBirth = intake.declared?.birthDate;
  household.forEach((m, i) => {
    if (m.relationship === 'child' && applicantBirth && m.birthDate <= applicantBirth) {
      problems.push({
        path: ['household', i, 'birthDate'],
        message: 'a child cannot be born before the applicant',
      });
    }
  });
  (intake.incomes ?? []).forEach((income, i) => {
    if (income.member !== 'applicant' && income.member >= household.length) {
      problems.push({
        path: ['incomes', i, 'member'],
        message: `there is no household member ${income.member}`,
      });
    }
  });
  if (intake.household && intake.declared?.otherMembers) {
    problems.push({
      path: ['declared', 'otherMembers'],
      message: 'give the household or declared.otherMembers, not both',
    });
  }
  if (intake.incomes && intake.declared?.monthlyIncome !== undefined) {
    problems.push({
      path: ['declared', 'monthlyIncome'],
      message: 'give incomes or declared.monthlyIncome, not both',
    });
  }
  return problems;
}

/** The oldest a person can plausibly be: a birth date further back is a typing error (1850 for 1985). */
export const MAX_AGE_YEARS = 120;

/**
 * Declared dates that cannot be right on `today`: a birth in the future or more than MAX_AGE_YEARS ago (the
 * applicant's or another member's); residence since a day in the future, or before the applicant was born.
 * Paths are relative to the declared facts.
 */
export function declaredDateProblems(
  declared:
    | {
        birthDate?: string | undefined;
        residenceSince?: string | undefined;
        otherMembers?: { birthDate?: string | undefined }[] | undefined;
      }
    | undefined,
  today: string,
): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const birth = (date: string | undefined, path: (string | number)[]) => {
    const message = birthProblem(date, today);
    if (message) problems.push({ path, message });
  };
  birth(declared?.birthDate, ['birthDate']);
  (declared?.otherMembers ?? []).forEach((m, i) => birth(m.birthDate, ['otherMembers', i, 'birthDate']));
  const since = declared?.residenceSince;
  if (since && since > today) problems.push({ path: ['residenceSince'], message: 'is in the future' });
  else if (since && declared?.birthDate && since < declared.birthDate)
    problems.push({ path: ['residenceSince'], message: 'is before the applicant’s birth date' });
  return problems;
}

/** Why a birth date cannot be right on `today`, if it cannot. */
function birthProblem(date: string | undefined, today: string): string | undefined {
  if (!date) return undefined;
  if (date > today) return 'is in the future';
  if (date < plusMonths(today, -12 * MAX_AGE_YEARS)) return `is more than ${MAX_AGE_YEARS} years ago`;
  return undefined;
}

/** Dates of a filing that cannot be right on the day of filing (declaredDateProblems, and every member's birth). */
export function datesAfter(intake: Pick<IntakeShape, 'household' | 'declared'>, today: string): FieldError[] {
  const problems: FieldError[] = declaredDateProblems(intake.declared, today).map((p) => ({
    field: ['body', 'declared', ...p.path].join('.'),
    message: p.message,
  }));
  (intake.household ?? []).forEach((m, i) => {
    const message = birthProblem(m.birthDate, today);
    if (message) problems.push({ field: `body.household.${i}.birthDate`, message });
  });
  return problems;
}

/** The documents of the household's members that identify it: the applicant's and every other one given. */
export function householdDocuments(intake: IntakeShape): string[] {
  return [
    intake.applicant.documentNumber,
    ...(intake.household ?? []).flatMap((m) => (m.documentNumber ? [m.documentNumber] : [])),
  ];
}

export function declaredFacts(
  declared: z.output<typeof declaredSchema> | undefined,
  household?: z.output<typeof householdMemberSchema>[],
  incomes?: z.output<typeof incomeSchema>[],
): DeclaredFacts | undefined {
  if (!declared && !household && !incomes) return undefined;
  const { otherMembers, ...rest } = declared ?? {};
  const members = household ?? otherMembers ?? [];
  return {
    ...rest,
    ...(incomes
      ? { monthlyIncome: Math.round(incomes.reduce((sum, i) => sum + i.monthlyAmount, 0) * 100) / 100 }
      : {}),
    household: [
      { role: 'applicant', birthDate: declared?.birthDate },
      ...members.map((m) => ({ role: 'member' as const, birthDate: m.birthDate })),
    ],
  };
}

export type IntakeRequest = z.input<typeof intakeSchema>;
export type Intake = z.output<typeof intakeSchema>;
