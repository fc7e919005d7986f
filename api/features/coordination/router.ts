/**
 * /coordination: the coordinators' views (stuck cases, the office's deadlines, workload, staff, a case's
 * timeline) and bulk actions (reassignments, repairs).
 */
import { Router } from 'express';
import { worksFor } from '../../../domain/access';
import type { StaffMember } from '../../../domain/access';
import { AppError } from '../../../domain/errors';
import type { CaseClient } from '../../../adapters/temporal/case-client';
import type { PrismaClient } from '../../../generated/prisma/client';
import type { Coordination, DeadlineCursor } from '../../../services/coordination';
import { assignableColleagues, reassignCases } from '../../../services/reassignment';
import { repairCase } from '../../../services/repair';
import type { HistoryReplayer } from '../../../adapters/temporal/replay';
import { caseTimeline } from '../../../services/timeline';
import { noteAudit } from '../../audit';
import { authorize, authorizeCase } from '../../auth';
import { decodeApplicationCursor, encodeApplicationCursor } from '../../cursors';
import { applicationParamsRequest } from '../../schemas';
import { parseRequest } from '../../validate';
import { bulkReassignRequest, officeDeadlinesRequest, repairRequest, stuckRequest } from './schemas';

export interface CoordinationRouterDeps {
  prisma: PrismaClient;
  /** Its action bound is also how long a bulk reassignment waits, all cases together. */
  cases: CaseClient;
  coordination: Coordination;
  /** Replays histories with the workers' code, to find where a held case can be reset to. */
  replay: HistoryReplayer;
}

/** A cursor from a previous page of deadlines; anything else is a 400, never a 500. */
function decodeDeadlineCursor(cursor: string): DeadlineCursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<DeadlineCursor>;
    if (
      typeof c.dueDate === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(c.dueDate) &&
      typeof c.applicationId === 'string' &&
      typeof c.kind === 'string'
    )
      return { dueDate: c.dueDate, applicationId: c.applicationId, kind: c.kind };
  } catch {
    // fall through
  }
  throw AppError.badRequest([
    { field: 'query.cursor', message: 'must be a cursor returned by a previous page' },
  ]);
}

function scope(staff: StaffMember, municipality?: string): readonly string[] {
  if (municipality && !worksFor(staff, municipality)) {
    throw AppError.forbidden(`You do not work for municipality ${municipality}`);
  }
  return municipality ? [municipality] : staff.municipalities;
}

export function createCoordinationRouter({
  prisma,
  cases,
  coordination,
  replay,
}: CoordinationRouterDeps): Router {
  const router = Router();

  router.get('/stuck', async (req, res) => {
    const { query } = parseRequest(stuckRequest, req);
    noteAudit(res, 'oversee_stuck');
    const staff = authorize(req, 'oversee');
    const page = await coordination.stuckPage(scope(staff, query.municipality), {
      limit: query.limit,
      after: query.cursor ? decodeApplicationCursor(query.cursor) : undefined,
      reason: query.reason,
      benefit: query.benefit,
      assignee: query.assignee,
      minDays: query.minDays,
    });
    const countsByReason: Record<string, number> = {};
    for (const c of page.items)
      for (const f of c.findings) countsByReason[f.reason] = (countsByReason[f.reason] ?? 0) + 1;
    res.json({
      items: page.items,
      countsByReason,
      nextCursor: page.next ? encodeApplicationCursor(page.next) : null,
      scanned: page.scanned,
    });
  });

  router.get('/deadlines', async (req, res) => {
    const { query } = parseRequest(officeDeadlinesRequest, req);
    noteAudit(res, 'oversee_deadlines');
    const staff = authorize(req, 'oversee');
    const page = await coordination.deadlines(scope(staff, query.municipality), {
      bucket: query.bucket,
      kind: query.kind,
      limit: query.limit,
      after: query.cursor ? decodeDeadlineCursor(query.cursor) : undefined,
    });
    res.json({
      items: page.items,
      counts: page.counts,
      nextCursor: page.next ? Buffer.from(JSON.stringify(page.next)).toString('base64url') : null,
    });
  });

  /** The staff of your municipalities, for assigning cases. */
  router.get('/staff', async (req, res) => {
    noteAudit(res, 'oversee_staff');
    const staff = authorize(req, 'oversee');
    res.json(await assignableColleagues(prisma, staff));
  });

  router.get('/workload', async (req, res) => {
    noteAudit(res, 'oversee_workload');
    const staff = authorize(req, 'oversee');
    res.json(await coordination.workload(staff.municipalities));
  });

  /** The whole story of one case, in Catalan with Spanish: steps, reminders, consultations, payments, deadlines. */
  router.get('/timeline/:id', async (req, res) => {
    const { params } = parseRequest(applicationParamsRequest, req);
    noteAudit(res, 'read_timeline', params.id);
    authorizeCase(req, 'read', params.id);
    res.json(await caseTimeline(prisma, params.id));
  });

  /** Bulk reassignment: a preview of what it would touch, then the run; each case says how it went. */
  router.post('/reassignments', async (req, res) => {
    const { body } = parseRequest(bulkReassignRequest, req);
    noteAudit(res, body.preview ? 'preview_bulk_reassign' : 'bulk_reassign');
    const staff = authorize(req, 'reassign');
    const items = await reassignCases({ prisma, cases }, staff, body);
    res.json({ preview: body.preview, assignee: body.assignee, items });
  });

  /**
   * Repair of a case held by a workflow task that no longer replays (stuck as `workflow_task_failing`): a
   * preview says which task the run goes back to and what runs again; the repair resets it there. Refusals
   * (409) say why a reset would not help.
   */
  router.post('/repairs', async (req, res) => {
    const { body } = parseRequest(repairRequest, req);
    noteAudit(res, body.preview ? 'preview_repair' : 'repair_case', body.applicationId);
    const staff = authorizeCase(req, 'repair', body.applicationId);
    res.json(
      await repairCase(
        { prisma, cases, replay },
        {
          applicationId: body.applicationId,
          by: staff.id,
          reason: body.reason,
          preview: body.preview,
          expected: body.expected,
        },
      ),
    );
  });

  return router;
}
