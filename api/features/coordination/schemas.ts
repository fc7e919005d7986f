/**
 * The coordinators' views and bulk actions: stuck cases, the office's deadlines, workload, staff, a case's timeline, reassignments and repairs.
 */
import { z } from 'zod';
import { STAFF_ROLES } from '../../../domain/access';
import { BENEFIT_CODES } from '../../../domain/benefits';
import { MUNICIPALITY_CODES } from '../../../domain/municipalities';
import { STUCK_REASONS } from '../../../domain/stuck';
import { applicationIdSchema, cursorSchema } from '../../schemas';
import { text } from '../../../domain/text';

export const stuckRequest = z.object({
  query: z
    .object({
      reason: z.enum(STUCK_REASONS).optional(),
      benefit: z.enum(BENEFIT_CODES).optional(),
      municipality: z.enum(MUNICIPALITY_CODES).optional(),
      assignee: text(100).optional(),
      /** Stuck for at least this many days (by the earliest finding). */
      minDays: z.coerce.number().int().min(0).max(3650).optional(),
      /** Stuck cases per page, in application-number order (default 50). */
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: cursorSchema(200),
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
      cursor: cursorSchema(400),
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
      assignee: text(100),
      reason: text(500, { min: 3, multiline: true }),
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
      reason: text(500, { min: 3, multiline: true }),
      /** true: only say what the repair would do. */
      preview: z.boolean().default(true),
      /** With preview false: the plan a preview returned, so that a case that moved on is not reset blindly. */
      expected: z
        .object({ runId: text(100), resetToEventId: z.number().int().min(1) })
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
