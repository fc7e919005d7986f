/**
 * Assigning cases: who can take them (the active staff of the coordinator's municipalities), and the bulk
 * reassignment: a preview of what it would touch, then the run, each case saying how it went.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { municipalityOfApplication, worksFor } from '../domain/access';
import type { StaffMember } from '../domain/access';
import { AppError } from '../domain/errors';
import type { CaseClient } from '../adapters/temporal/case-client';
import { findApplicationFailure } from '../adapters/temporal/errors';
import type { PrismaClient } from '../generated/prisma/client';
import { reassignUpdate } from '../workflows/messages';

export interface ReassignmentDeps {
  prisma: PrismaClient;
  cases: CaseClient;
}

/** The active staff of the coordinator's municipalities who can take cases (auditors cannot). */
export async function assignableColleagues(prisma: PrismaClient, staff: StaffMember) {
  const rows = await prisma.staffMember.findMany({
    where: { active: true, municipalities: { hasSome: [...staff.municipalities] } },
    orderBy: { name: 'asc' },
  });
  return {
    items: rows
      .filter((r) => r.role !== 'auditor')
      .map((r) => ({
        id: r.id,
        name: r.name,
        role: r.role,
        municipalities: r.municipalities.filter((m) => worksFor(staff, m)),
      })),
  };
}

export interface BulkReassignment {
  applicationIds: string[];
  assignee: string;
  reason: string;
  /** true: only say what would be touched. */
  preview: boolean;
}

type Outcome = 'would_reassign' | 'reassigned' | 'unchanged' | 'refused' | 'not_found' | 'unavailable';

export interface ReassignedCase {
  applicationId: string;
  from: string | null;
  state: string | null;
  outcome: Outcome;
  detail?: string;
}

/**
 * Reassigns each case to `assignee`, an active colleague of its municipality. One bound for the whole run,
 * as for a single case action (CASE_ACTION_TIMEOUT_SECONDS): with no worker processing the cases each update
 * would wait forever, and 200 cases waiting one bound each would hold the request for hours. A case that
 * did not take it in time, or was not reached, is `unavailable`: it may still be carried out.
 */
export async function reassignCases(
  deps: ReassignmentDeps,
  staff: StaffMember,
  request: BulkReassignment,
): Promise<ReassignedCase[]> {
  const ids = [...new Set(request.applicationIds)];
  const colleague = await deps.prisma.staffMember.findUnique({ where: { id: request.assignee } });
  const rows = await deps.prisma.application.findMany({ where: { id: { in: ids } } });
  const seconds = deps.cases.actionTimeoutSeconds;
  const runDeadline = Date.now() + seconds * 1000;
  const items: ReassignedCase[] = [];
  for (const id of ids) {
    const row = rows.find((r) => r.id === id);
    const municipality = municipalityOfApplication(id);
    if (!row || !worksFor(staff, municipality)) {
      items.push({ applicationId: id, from: null, state: null, outcome: 'not_found' });
      continue;
    }
    const base = { applicationId: id, from: row.assignee, state: row.state };
    if (!colleague?.active || !colleague.municipalities.includes(municipality)) {
      items.push({
        ...base,
        outcome: 'refused',
        detail: `${request.assignee} does not work for ${municipality}`,
      });
    } else if (row.closedAt) {
      items.push({ ...base, outcome: 'refused', detail: 'The case is closed' });
    } else if (row.assignee === request.assignee) {
      items.push({ ...base, outcome: 'unchanged' });
    } else if (request.preview) {
      items.push({ ...base, outcome: 'would_reassign' });
    } else if (Date.now() >= runDeadline) {
      items.push({
        ...base,
        outcome: 'unavailable',
        detail: `Not attempted: the run used its ${seconds} s waiting for earlier cases`,
      });
    } else {
      items.push({ ...base, ...(await reassignOne(deps, id, staff, request, runDeadline)) });
    }
  }
  return items;
}

async function reassignOne(
  deps: ReassignmentDeps,
  id: string,
  staff: StaffMember,
  request: BulkReassignment,
  deadline: number,
): Promise<Pick<ReassignedCase, 'outcome' | 'detail'>> {
  try {
    await deps.cases.update(
      id,
      reassignUpdate,
      { actor: staff.id, assignee: request.assignee, reason: request.reason },
      { deadline },
    );
    return { outcome: 'reassigned' };
  } catch (err) {
    if (err instanceof AppError && err.status === 503) {
      return {
        outcome: 'unavailable',
        detail:
          `The case did not take the reassignment within ${deps.cases.actionTimeoutSeconds} s (its workflow is ` +
          'not being processed now); it is kept and may still be carried out, which the case shows only then',
      };
    }
    // Closed meanwhile (the case client says 409), refused by the case, or gone.
    if (
      !(err instanceof WorkflowUpdateFailedError) &&
      !(err instanceof WorkflowNotFoundError) &&
      !(err instanceof AppError && err.status === 409)
    )
      throw err;
    return { outcome: 'refused', detail: findApplicationFailure(err)?.message ?? 'Closed' };
  }
}
