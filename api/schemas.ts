/**
 * Request and response schemas of the API, shared by the handlers and the OpenAPI document.
 */
import { z } from 'zod';
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { APPLICATION_NUMBER_PATTERN, APPLICATION_STATES } from '../domain/application';
import { BENEFIT_CODES } from '../domain/benefits';
import { DEADLINE_UNITS } from '../domain/deadlines';
import { STAFF_ROLES } from '../domain/access';
import { STUCK_REASONS } from '../domain/stuck';
import { declaredSchema, intakeSchema } from '../domain/intake';
import { documentNumberProblem, normaliseDocumentNumber } from '../domain/identity';
import { MUNICIPALITY_CODES } from '../domain/municipalities';

extendZodWithOpenApi(z);

export const applicationIdSchema = z
  .string()
  .regex(APPLICATION_NUMBER_PATTERN, 'must be an application number such as 08305-2026-000042')
  .openapi({ example: '08305-2026-000042' });

export const createApplicationRequest = z.object({ body: intakeSchema });

export const applicationParamsRequest = z.object({ params: z.object({ id: applicationIdSchema }) });

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

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    rejection: z.string().optional(),
  })
  .openapi('Problem');

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })).optional(),
  })
  .openapi('Health');

export const deadlineResponseSchema = z
  .object({
    deadline: z.iso.date(),
    provisional: z.boolean(),
    provisionalReasons: z.array(z.string()),
    nonBusinessDaysSkipped: z.number().int(),
    legalBasis: z.array(
      z.object({
        citation: z.string(),
        law: z.string(),
        article: z.string(),
        ca: z.string(),
        es: z.string(),
      }),
    ),
    countedFrom: z.iso.date(),
    amount: z.number().int(),
    unit: z.enum(DEADLINE_UNITS),
    municipality: z.enum(MUNICIPALITY_CODES),
  })
  .openapi('Deadline');

// ---- case actions -------------------------------------------------------------------------------------

const text = (max: number) => z.string().trim().min(1).max(max);
const documentCode = z.string().regex(/^[A-Z_]{2,40}$/, 'must be a checklist code such as RESIDENCE');

export const actionBodies = {
  documents: z.object({ documents: z.array(documentCode).min(1).max(30) }).strict(),
  extension: z.object({ days: z.number().int().min(1).max(5) }).strict(),
  assessment: z
    .object({
      recommendation: z.enum(['grant', 'refuse']),
      /** The technical or social report: kept as a professional note, never shown to administrative staff. */
      report: text(20_000),
      facts: declaredSchema.optional(),
    })
    .strict(),
  proposal: z.object({ outcome: z.enum(['granted', 'refused']), reasons: text(4000) }).strict(),
  resolution: z.object({ approve: z.boolean(), notes: z.string().trim().max(4000).optional() }).strict(),
  notification: z
    .object({ outcome: z.enum(['accepted', 'rejected']), on: z.iso.date('must be a date YYYY-MM-DD') })
    .strict(),
  appeal: z.object({ grounds: text(8000) }).strict(),
  appealResolution: z.object({ upheld: z.boolean(), reasons: text(4000) }).strict(),
  justification: z
    .object({
      verdict: z.enum(['accepted', 'partial', 'rejected']),
      acceptedAmount: z.number().nonnegative().max(1_000_000).optional(),
    })
    .strict(),
  repayment: z.object({ amount: z.number().positive().max(1_000_000) }).strict(),
  paymentRetry: z.object({}).strict(),
  change: z.object({ description: text(4000), facts: declaredSchema }).strict(),
  withdrawal: z.object({ reason: z.string().trim().max(2000).optional() }).strict(),
  assignment: z.object({ assignee: text(100), reason: z.string().trim().max(500).optional() }).strict(),
  retryNow: z.object({ reason: z.string().trim().max(500).optional() }).strict(),
  cancellation: z.object({ reason: text(500) }).strict(),
  escalation: z.object({ reason: text(500) }).strict(),
} as const;

// ---- reads --------------------------------------------------------------------------------------------

export const listApplicationsRequest = z.object({
  query: z
    .object({
      state: z.enum(APPLICATION_STATES).optional(),
      benefit: z.enum(BENEFIT_CODES).optional(),
      municipality: z.enum(MUNICIPALITY_CODES).optional(),
      assignee: z.string().trim().min(1).max(100).optional(),
      deadlineBefore: z.iso.date('must be a date YYYY-MM-DD').optional(),
      blocked: z.enum(['true', 'false']).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be a cursor returned by a previous page')
        .optional(),
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

export const auditRequest = z.object({
  query: z
    .object({
      applicationId: applicationIdSchema.optional(),
      staffId: z.string().trim().min(1).max(100).optional(),
      from: z.iso.datetime().optional(),
      to: z.iso.datetime().optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      cursor: z
        .string()
        .regex(/^\d{1,20}$/, 'must be a cursor returned by a previous page')
        .optional(),
    })
    .strict(),
});

export const auditListSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        at: z.iso.datetime(),
        staffId: z.string().nullable(),
        action: z.string(),
        method: z.string(),
        path: z.string(),
        applicationId: z.string().nullable(),
        status: z.number().int(),
        ip: z.string().nullable(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .openapi('AuditLog');

export const auditIntegritySchema = z
  .object({
    intact: z.boolean(),
    entries: z.number().int(),
    head: z.object({
      seq: z.string(),
      hash: z
        .string()
        .openapi({ description: 'SHA-256 of the newest entry (hex): record it to compare later' }),
    }),
    breaks: z.array(
      z.object({
        chainSeq: z.string().nullable(),
        id: z.string().nullable(),
        problem: z.enum(['altered', 'unlinked', 'missing_before', 'outside_chain', 'head_mismatch']),
      }),
    ),
  })
  .openapi('AuditIntegrity');

const base64 = z
  .string()
  .max(4_000_000)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const jsonPayload = z
  .object({ metadata: z.record(z.string().max(100), base64).optional(), data: base64.optional() })
  .strict();

/** The Temporal UI's codec server protocol. */
export const codecRequest = z.object({
  body: z.object({ payloads: z.array(jsonPayload).max(1000) }).strict(),
});

export const codecResponseSchema = z
  .object({ payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()), data: z.string() })) })
  .openapi('CodecPayloads');

export const meSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(STAFF_ROLES),
    municipalities: z.array(z.string()),
    allowedActions: z.array(z.string()),
  })
  .openapi('Me');

// ---- coordination -------------------------------------------------------------------------------------

export const stuckRequest = z.object({
  query: z
    .object({
      reason: z.enum(STUCK_REASONS).optional(),
      benefit: z.enum(BENEFIT_CODES).optional(),
      municipality: z.enum(MUNICIPALITY_CODES).optional(),
      assignee: z.string().trim().min(1).max(100).optional(),
      /** Stuck for at least this many days (by the earliest finding). */
      minDays: z.coerce.number().int().min(0).max(3650).optional(),
      /** Stuck cases per page, in application-number order (default 50). */
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be a cursor returned by a previous page')
        .optional(),
    })
    .strict(),
});

const findingSchema = z.object({
  reason: z.enum(STUCK_REASONS),
  since: z.string(),
  detail: z.string(),
  action: z.string(),
});

export const stuckListSchema = z
  .object({
    items: z.array(
      z.object({
        applicationId: applicationIdSchema,
        municipalityCode: z.string(),
        benefitCode: z.string(),
        state: z.string(),
        assignee: z.string().nullable(),
        submittedAt: z.iso.datetime(),
        findings: z.array(findingSchema),
      }),
    ),
    /** Findings per reason on this page. */
    countsByReason: z.record(z.string(), z.number().int()),
    /**
     * Where the next page starts; null when every open case of the scope has been read. A page reads a
     * bounded number of open cases, so it may hold fewer than `limit` cases, or none, and still have a next.
     */
    nextCursor: z.string().nullable(),
    /** Open cases read for this page. */
    scanned: z.number().int(),
  })
  .openapi('StuckApplications');

export const officeDeadlinesRequest = z.object({
  query: z
    .object({
      bucket: z.enum(['overdue', 'today', 'this_week', 'later']).optional(),
      municipality: z.enum(MUNICIPALITY_CODES).optional(),
      kind: z
        .string()
        .regex(/^[a-z_]{2,40}$/)
        .optional(),
      /** Deadlines per page, soonest first (default 200). */
      limit: z.coerce.number().int().min(1).max(1000).default(200),
      cursor: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,400}$/, 'must be a cursor returned by a previous page')
        .optional(),
    })
    .strict(),
});

export const officeDeadlinesSchema = z
  .object({
    items: z.array(
      z.object({
        applicationId: applicationIdSchema,
        kind: z.string(),
        dueDate: z.iso.date(),
        bucket: z.enum(['overdue', 'today', 'this_week', 'later']),
        legalBasis: z.array(z.string()),
        provisional: z.boolean(),
        municipalityCode: z.string(),
        benefitCode: z.string(),
        assignee: z.string().nullable(),
        state: z.string(),
      }),
    ),
    /** Overdue and due today in the whole scope, counted up to 1000 (`capped` beyond). */
    counts: z.object({ overdue: z.number().int(), today: z.number().int(), capped: z.boolean() }),
    nextCursor: z.string().nullable(),
  })
  .openapi('OfficeDeadlines');

export const workloadSchema = z
  .object({
    openCases: z.number().int(),
    perPerson: z.array(
      z.object({
        assignee: z.string().nullable(),
        openCases: z.number().int(),
        tasks: z.number().int(),
        overdueTasks: z.number().int(),
      }),
    ),
    perState: z.record(z.string(), z.number().int()),
    waitingOn: z.object({
      citizen: z.number().int(),
      staff: z.number().int(),
      administration: z.number().int(),
    }),
  })
  .openapi('Workload');

export const bulkReassignRequest = z.object({
  body: z
    .object({
      applicationIds: z.array(applicationIdSchema).min(1).max(200),
      assignee: z.string().trim().min(1).max(100),
      reason: z.string().trim().min(3).max(500),
      /** true: only say what would be touched. */
      preview: z.boolean().default(true),
    })
    .strict(),
});

export const repairRequest = z.object({
  body: z
    .object({
      applicationId: applicationIdSchema,
      /** Why, in the coordinator's words: kept in the audit trail and on the case's timeline. */
      reason: z.string().trim().min(3).max(500),
      /** true: only say what the repair would do. */
      preview: z.boolean().default(true),
      /** With preview false: the plan a preview returned, so that a case that moved on is not reset blindly. */
      expected: z
        .object({ runId: z.string().min(1).max(100), resetToEventId: z.number().int().min(1) })
        .strict()
        .optional(),
    })
    .strict(),
});

export const repairSchema = z
  .object({
    preview: z.boolean(),
    applicationId: applicationIdSchema,
    runId: z.string(),
    newRunId: z.string().nullable(),
    failingAttempt: z.number().int(),
    failure: z.string().nullable(),
    resetToEventId: z.number().int(),
    resetToTime: z.string().nullable(),
    redone: z.object({
      activities: z.record(z.string(), z.number().int()),
      updates: z.number().int(),
      signals: z.number().int(),
    }),
  })
  .openapi('Repair');

export const bulkReassignSchema = z
  .object({
    preview: z.boolean(),
    assignee: z.string(),
    items: z.array(
      z.object({
        applicationId: z.string(),
        from: z.string().nullable(),
        state: z.string().nullable(),
        // unavailable: the case did not take it in time (or was not attempted); it may still be carried out.
        outcome: z.enum(['would_reassign', 'reassigned', 'unchanged', 'refused', 'not_found', 'unavailable']),
        detail: z.string().optional(),
      }),
    ),
  })
  .openapi('BulkReassignment');

export const timelineSchema = z
  .object({
    applicationId: applicationIdSchema,
    entries: z.array(
      z.object({
        at: z.string(),
        kind: z.enum(['step', 'reminder', 'consultation', 'payment', 'deadline', 'notice']),
        text: z.string(),
        actor: z.string().nullable(),
      }),
    ),
  })
  .openapi('Timeline');

export const colleaguesSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        role: z.enum(STAFF_ROLES),
        municipalities: z.array(z.string()),
      }),
    ),
  })
  .openapi('Colleagues');

// ---- the office's indicators

const isoDay = z.iso.date().openapi({ example: '2026-03-31' });
const MAX_INDICATOR_DAYS = 731;

/** A period of office dates, both included, at most two years (the weekly workload series stays readable). */
const indicatorPeriod = {
  from: isoDay.optional(),
  to: isoDay.optional(),
  benefit: z.enum(BENEFIT_CODES).optional(),
  /** `csv`: the same figures as a spreadsheet (Catalan and Spanish labels in the first rows). */
  format: z.enum(['json', 'csv']).default('json'),
};
const periodIsValid = (q: { from?: string | undefined; to?: string | undefined }) =>
  !q.from || !q.to || q.from <= q.to;
const periodIsShort = (q: { from?: string | undefined; to?: string | undefined }) =>
  !q.from ||
  !q.to ||
  (Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / 86_400_000 < MAX_INDICATOR_DAYS;

export const indicatorsRequest = z.object({
  query: z
    .object({ ...indicatorPeriod, municipality: z.enum(MUNICIPALITY_CODES).optional() })
    .strict()
    .refine(periodIsValid, { message: '`from` must not be after `to`', path: ['from'] })
    .refine(periodIsShort, {
      message: `the period may span at most ${MAX_INDICATOR_DAYS} days`,
      path: ['to'],
    }),
});

export const aggregatedIndicatorsRequest = z.object({
  query: z
    .object(indicatorPeriod)
    .strict()
    .refine(periodIsValid, { message: '`from` must not be after `to`', path: ['from'] })
    .refine(periodIsShort, {
      message: `the period may span at most ${MAX_INDICATOR_DAYS} days`,
      path: ['to'],
    }),
});

const indicatorDefinitionSchema = z.object({
  id: z.string(),
  group: z.enum(['volume', 'speed', 'paperwork', 'money', 'workload']),
  unit: z.enum(['count', 'business_days', 'days', 'share', 'euros', 'per_application']),
  label: z.object({ ca: z.string(), es: z.string() }),
  definition: z.string(),
  formula: z.string(),
  source: z.string(),
  base: z.string().optional(),
  additive: z.boolean(),
});
const indicatorValuesSchema = z.record(z.string(), z.number().nullable());
const periodSchema = z.object({ from: isoDay, to: isoDay });

/** One row of indicators: a municipality (or the office), a benefit (or all), and the values. */
const indicatorRowSchema = z.object({
  municipality: z.string().nullable(),
  municipalityName: z.string().nullable(),
  benefit: z.string().nullable(),
  values: indicatorValuesSchema,
});

export const indicatorsSchema = z
  .object({
    period: periodSchema,
    municipalities: z.array(z.string()),
    definitions: z.array(indicatorDefinitionSchema),
    rows: z.array(indicatorRowSchema),
    registryAvailability: z.array(
      z.object({
        service: z.string(),
        consultations: z.number().int(),
        attempts: z.number().int(),
        failures: z.number().int(),
        availability: z.number().nullable(),
      }),
    ),
    workload: z.object({
      perPerson: z.array(
        z.object({
          staffId: z.string(),
          name: z.string().nullable(),
          role: z.string().nullable(),
          openCases: z.number().int(),
          openTasks: z.number().int(),
          tasksPastSla: z.number().int(),
        }),
      ),
      weekly: z.array(
        z.object({
          weekEnding: isoDay,
          openCases: z.number().int(),
          openTasks: z.number().int(),
          openCasesByRole: z.record(z.string(), z.number().int()),
        }),
      ),
    }),
  })
  .openapi('OfficeIndicators');

export const aggregatedIndicatorsSchema = z
  .object({
    period: periodSchema,
    threshold: z.number().int(),
    definitions: z.array(indicatorDefinitionSchema),
    rows: z.array(indicatorRowSchema.extend({ suppressed: z.array(z.string()) })),
  })
  .openapi('AggregatedIndicators');

/** The right of access (api/routes/subject-access.ts): the person is named in the body, never in the URL. */
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
