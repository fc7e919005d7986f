/**
 * The right of access (GDPR art. 15): the request names the person in the body, never in the URL.
 */
import { z } from 'zod';
import { documentNumberProblem, normaliseDocumentNumber } from '../../../domain/identity';
import '../../schemas';

/** The person is named in the body, never in the URL: URLs end up in proxies' and browsers' logs. */
export const subjectAccessRequest = z.object({
  body: z
    .object({
      documentNumber: z
        .string()
        .max(20)
        .transform(normaliseDocumentNumber)
        .superRefine((value, ctx) => {
          const problem = documentNumberProblem(value);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        })
        .openapi({ description: 'The person’s DNI or NIE', example: '12345678Z' }),
    })
    .strict(),
});

const row = z.record(z.string(), z.unknown());

export const subjectAccessSchema = z
  .object({
    documentNumber: z.string(),
    generatedAt: z.iso.datetime(),
    generatedBy: z.string(),
    /** The municipalities searched: the caller's. */
    municipalities: z.array(z.string()),
    notice: z.object({ ca: z.string(), es: z.string() }),
    cases: z.array(
      z.object({
        applicationId: z.string(),
        /** How the person appears in the case. */
        roles: z.array(z.enum(['applicant', 'household_member', 'registry_holder', 'household_claim'])),
        /** Whether the case holds other people's data too (a household member's export): review it first. */
        includesOtherPeople: z.boolean(),
        application: row,
        filed: row.nullable(),
        timeline: z.array(row),
        deadlines: z.array(row),
        task: row.nullable(),
        tasks: z.array(row),
        registryConsultations: z.array(row),
        registryConsents: z.array(row),
        notices: z.array(row),
        noticeDeliveries: z.array(row),
        paymentOrders: z.array(row),
        professionalNotes: z.array(row),
        intakeRequests: z.array(row),
        householdClaims: z.array(row),
        audit: z.array(row),
        temporal: z.object({
          /** RUNNING, COMPLETED, …, or NOT_FOUND once the history is deleted (retention) or purged. */
          status: z.string(),
          runId: z.string().optional(),
          startTime: z.iso.datetime().optional(),
          closeTime: z.iso.datetime().optional(),
          historyLength: z.number().int().optional(),
          /** The application as filed, from the workflow's input (contact details, declared facts). */
          input: z.unknown().optional(),
          /** The live status, for a running case. */
          liveStatus: z.unknown().optional(),
          /** Why part of it could not be read (the rest of the export stands). */
          problem: z.string().optional(),
        }),
      }),
    ),
  })
  .openapi('SubjectAccessExport');
