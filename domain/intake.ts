/**
 * The application as filed, validated once at the edge (the API) and handed to the workflow as data.
 */
import { z } from 'zod';
import { BENEFIT_CODES } from './benefits';
import { documentNumberProblem, documentTypeOf, normaliseDocumentNumber } from './identity';
import { MUNICIPALITY_CODES } from './municipalities';
import type { DeclaredFacts } from './application';
import { REGISTRY_SERVICES } from './catalogue';
import { isIsoDate } from './dates';

export const applicantSchema = z
  .object({
    firstName: z.string().trim().min(1).max(100),
    lastName: z.string().trim().min(1).max(200),
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
    assignee: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

export function declaredFacts(
  declared: z.output<typeof declaredSchema> | undefined,
): DeclaredFacts | undefined {
  if (!declared) return undefined;
  const { otherMembers, ...rest } = declared;
  return {
    ...rest,
    household: [
      { role: 'applicant', birthDate: declared.birthDate },
      ...(otherMembers ?? []).map((m) => ({ role: 'member' as const, birthDate: m.birthDate })),
    ],
  };
}

export type IntakeRequest = z.input<typeof intakeSchema>;
export type Intake = z.output<typeof intakeSchema>;
