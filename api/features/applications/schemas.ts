/**
 * The applications' requests and answers: filing, the list, a case's status and reads, the case actions' bodies.
 */
import { z } from 'zod';
import { APPLICATION_STATES } from '../../../domain/application';
import { BENEFIT_CODES } from '../../../domain/benefits';
import { declaredDateProblems, declaredSchema, intakeSchema } from '../../../domain/intake';
import { officeDateOf } from '../../../domain/dates';
import { MUNICIPALITY_CODES } from '../../../domain/municipalities';
import { applicationIdSchema, cursorSchema } from '../../schemas';
import { text } from '../../../domain/text';

export const createApplicationRequest = z.object({ body: intakeSchema });

const stepSchema = z.object({
  at: z.iso.datetime(),
  type: z.string(),
  from: z.enum(APPLICATION_STATES).optional(),
  to: z.enum(APPLICATION_STATES).optional(),
  actor: z.string().optional(),
  note: z.string().optional(),
});

export const applicationStatusSchema = z
  .object({
    applicationId: applicationIdSchema,
    municipalityCode: z.enum(MUNICIPALITY_CODES),
    benefitCode: z.enum(BENEFIT_CODES),
    state: z.enum(APPLICATION_STATES),
    submittedAt: z.iso.datetime(),
    effectiveFilingDate: z.iso.date(),
    catalogueVersion: z.string(),
    period: z.number().int(),
    assignee: z.string().optional(),
    registeredAt: z.iso.datetime().optional(),
    closedAt: z.iso.datetime().optional(),
    closingReason: z.string().optional(),
    pendingTask: z
      .object({
        kind: z.string(),
        assignee: z.string().optional(),
        createdOn: z.iso.date(),
        slaDate: z.iso.date(),
        overdue: z.boolean(),
      })
      .optional(),
    blockedOn: z.array(z.string()).optional(),
    deadlines: z.array(
      z.object({
        kind: z.string(),
        dueDate: z.iso.date(),
        provisional: z.boolean(),
        pausedSince: z.iso.date().optional(),
        legalBasis: z.array(
          z.object({ law: z.string(), article: z.string(), ca: z.string(), es: z.string() }),
        ),
      }),
    ),
    payments: z.array(
      z.object({
        key: z.string(),
        instalment: z.number().int(),
        amount: z.number(),
        dueDate: z.iso.date(),
        status: z.enum(['pending', 'paid', 'failed', 'cancelled']),
      }),
    ),
    history: z.array(stepSchema),
  })
  .passthrough()
  .openapi('ApplicationStatus');

export const createdApplicationSchema = z
  .object({
    applicationId: applicationIdSchema,
    state: z.enum(APPLICATION_STATES),
    links: z.object({ self: z.string() }),
  })
  .openapi('CreatedApplication');

// ---- case actions -------------------------------------------------------------------------------------

/**
 * Facts a professional corrects, or a change of circumstances reports, dated as plausibly as a filing's (no
 * birth in the future or more than 120 years ago, no residence in the future or before birth), on the
 * office's day of the request.
 */
const plausibleFacts = declaredSchema.superRefine((facts, ctx) => {
  for (const p of declaredDateProblems(facts, officeDateOf(new Date())))
    ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
});

const documentCode = z.string().regex(/^[A-Z_]{2,40}$/, 'must be a checklist code such as RESIDENCE');

export const actionBodies = {
  documents: z.object({ documents: z.array(documentCode).min(1).max(30) }).strict(),
  extension: z.object({ days: z.number().int().min(1).max(5) }).strict(),
  assessment: z
    .object({
      recommendation: z.enum(['grant', 'refuse']),
      /** The technical or social report: kept as a professional note, never shown to administrative staff. */
      report: text(20_000, { multiline: true }),
      facts: plausibleFacts.optional(),
    })
    .strict(),
  proposal: z
    .object({ outcome: z.enum(['granted', 'refused']), reasons: text(4000, { multiline: true }) })
    .strict(),
  resolution: z
    .object({ approve: z.boolean(), notes: text(4000, { multiline: true, min: 0 }).optional() })
    .strict(),
  notification: z
    .object({
      outcome: z.enum(['accepted', 'rejected']),
      /** When the person accessed or rejected it (art. 43): not after the office's today. */
      on: z.iso
        .date('must be a date YYYY-MM-DD')
        .refine((on) => on <= officeDateOf(new Date()), 'must not be after today'),
    })
    .strict(),
  appeal: z.object({ grounds: text(8000, { multiline: true }) }).strict(),
  appealResolution: z.object({ upheld: z.boolean(), reasons: text(4000, { multiline: true }) }).strict(),
  justification: z
    .object({
      verdict: z.enum(['accepted', 'partial', 'rejected']),
      acceptedAmount: z.number().nonnegative().max(1_000_000).optional(),
    })
    .strict(),
  repayment: z.object({ amount: z.number().positive().max(1_000_000) }).strict(),
  paymentRetry: z.object({}).strict(),
  change: z.object({ description: text(4000, { multiline: true }), facts: plausibleFacts }).strict(),
  withdrawal: z.object({ reason: text(2000, { multiline: true, min: 0 }).optional() }).strict(),
  assignment: z
    .object({ assignee: text(100), reason: text(500, { multiline: true, min: 0 }).optional() })
    .strict(),
  retryNow: z.object({ reason: text(500, { multiline: true, min: 0 }).optional() }).strict(),
  cancellation: z.object({ reason: text(500, { multiline: true }) }).strict(),
  escalation: z.object({ reason: text(500, { multiline: true }) }).strict(),
} as const;

// ---- reads --------------------------------------------------------------------------------------------

export const listApplicationsRequest = z.object({
  query: z
    .object({
      state: z.enum(APPLICATION_STATES).optional(),
      benefit: z.enum(BENEFIT_CODES).optional(),
      municipality: z.enum(MUNICIPALITY_CODES).optional(),
      assignee: text(100).optional(),
      deadlineBefore: z.iso.date('must be a date YYYY-MM-DD').optional(),
      blocked: z.enum(['true', 'false']).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: cursorSchema(200),
    })
    .strict(),
});

export const applicationSummarySchema = z
  .object({
    applicationId: applicationIdSchema,
    municipalityCode: z.string(),
    benefitCode: z.string(),
    state: z.enum(APPLICATION_STATES),
    applicantName: z.string(),
    assignee: z.string().nullable(),
    submittedAt: z.iso.datetime(),
    nextDeadline: z.iso.date().nullable(),
    blockedOn: z.array(z.string()),
    updatedAt: z.iso.datetime(),
  })
  .openapi('ApplicationSummary');

export const applicationListSchema = z
  .object({ items: z.array(applicationSummarySchema), nextCursor: z.string().nullable() })
  .openapi('ApplicationList');

export const deadlinesSchema = z
  .object({
    applicationId: applicationIdSchema,
    deadlines: z.array(
      z.object({
        kind: z.string(),
        dueDate: z.iso.date(),
        legalBasis: z.array(z.string()),
        provisional: z.boolean(),
        pausedSince: z.iso.date().nullable(),
      }),
    ),
  })
  .openapi('ApplicationDeadlines');

export const historySchema = z
  .object({
    applicationId: applicationIdSchema,
    events: z.array(
      z.object({
        at: z.iso.datetime(),
        type: z.string(),
        from: z.string().nullable(),
        to: z.string().nullable(),
        actor: z.string().nullable(),
        detail: z.unknown().optional(),
      }),
    ),
  })
  .openapi('ApplicationHistory');

export const notesSchema = z
  .object({
    applicationId: applicationIdSchema,
    notes: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        author: z.string(),
        text: z.string(),
        at: z.iso.datetime(),
      }),
    ),
  })
  .openapi('ProfessionalNotes');
