/**
 * The application as filed, validated once at the edge (the API) and handed to the workflow as data.
 */
import { z } from 'zod';
import { BENEFIT_CODES } from './benefits';
import { documentNumberProblem, documentTypeOf, normaliseDocumentNumber } from './identity';
import { MUNICIPALITY_CODES } from './municipalities';

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

export const intakeSchema = z
  .object({
    municipalityCode: z.enum(MUNICIPALITY_CODES),
    benefitCode: z.enum(BENEFIT_CODES),
    applicant: applicantSchema,
  })
  .strict();

export type IntakeRequest = z.input<typeof intakeSchema>;
export type Intake = z.output<typeof intakeSchema>;
