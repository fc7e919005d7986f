/**
 * Running a staff member's action on a case: the action's own effects outside the workflow first (declared
 * per action on the API's action table, api/features/applications/case-actions.ts), then its workflow update
 * within CASE_ACTION_TIMEOUT_SECONDS; an effect that wrote something is undone when the case refuses the
 * action.
 *
 * Repeating a request with the same Idempotency-Key waits for the same update (Temporal keeps its outcome)
 * instead of acting twice: the update id is scoped to the person and the action, so two people's keys, or one
 * key reused for another action, never meet.
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { municipalityOfApplication } from '../domain/access';
import type { StaffMember } from '../domain/access';
import type { ApplicationStatus } from '../domain/application';
import { AppError } from '../domain/errors';
import { isActiveStaffOf } from '../adapters/db/staff';
import type { CaseClient } from '../adapters/temporal/case-client';
import type { PrismaClient } from '../generated/prisma/client';

export interface CaseActionDeps {
  prisma: PrismaClient;
  cases: CaseClient;
}

/** Where an effect runs: the case, who acts, and the update's argument. */
export interface CaseActionContext<Arg> {
  deps: CaseActionDeps;
  applicationId: string;
  staff: StaffMember;
  arg: Arg;
  /** The update's id when the request has an Idempotency-Key: the same for every repeat of the request. */
  updateId?: string | undefined;
}

/**
 * What an action does besides its workflow update, before it: it may refuse the action (throwing AppError),
 * and returns how to undo what it wrote, should the case refuse the action.
 */
export type CaseActionEffect<Arg> = (ctx: CaseActionContext<Arg>) => Promise<(() => Promise<void>) | void>;

/** A case is assigned only to an active staff member of its municipality. */
export const assigneeIsColleague: CaseActionEffect<{ assignee?: string | undefined }> = async ({
  deps,
  applicationId,
  arg,
}) => {
  if (!arg.assignee) return;
  const municipalityCode = municipalityOfApplication(applicationId);
  if (!(await isActiveStaffOf(deps.prisma, arg.assignee, municipalityCode))) {
    throw AppError.badRequest([
      {
        field: 'body.assignee',
        message: `is not an active staff member of municipality ${municipalityCode}`,
      },
    ]);
  }
};

/**
 * The assessment's report is a professional note: kept apart from the workflow, so that administrative staff
 * never read it (GET /applications/{id}/notes), and removed when the case refuses the report. A request
 * repeated with its Idempotency-Key writes the same note, once.
 */
export const reportKeptAsNote: CaseActionEffect<{ report?: string | undefined }> = async ({
  deps,
  applicationId,
  staff,
  arg,
  updateId,
}) => {
  if (!arg.report) return;
  const id = updateId ? uuidFrom(`note:${applicationId}:${updateId}`) : randomUUID();
  await deps.prisma.professionalNote.createMany({
    data: [{ id, applicationId, authorId: staff.id, kind: 'assessment_report', text: arg.report }],
    skipDuplicates: true,
  });
  return async () => {
    await deps.prisma.professionalNote.deleteMany({ where: { id } });
  };
};

/** A UUID-shaped id derived from `seed`: the same seed, the same id. */
function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Whether the case certainly did not take the action: it refused it, is closed, or does not exist. An action
 * that timed out (503) may still be carried out, and an unreachable Temporal leaves it unknown: what its
 * effects wrote is kept then, not lost.
 */
function refused(err: unknown): boolean {
  return (
    err instanceof WorkflowUpdateFailedError ||
    err instanceof WorkflowNotFoundError ||
    (err instanceof AppError && err.status >= 400 && err.status < 500)
  );
}

export interface CaseActionRequest<Arg> {
  applicationId: string;
  staff: StaffMember;
  /** The action's name (its path): scopes the idempotency key. */
  action: string;
  update: UpdateDefinition<ApplicationStatus, [Arg]>;
  arg: Arg;
  effects?: readonly CaseActionEffect<Arg>[] | undefined;
  idempotencyKey?: string | undefined;
}

/** Runs the action: its effects, then its update; answers the case's new status. */
export async function runCaseAction<Arg>(
  deps: CaseActionDeps,
  request: CaseActionRequest<Arg>,
): Promise<ApplicationStatus> {
  const updateId = request.idempotencyKey
    ? `${request.action}:${request.staff.id}:${request.idempotencyKey}`
    : undefined;
  const ctx: CaseActionContext<Arg> = {
    deps,
    applicationId: request.applicationId,
    staff: request.staff,
    arg: request.arg,
    updateId,
  };
  const undo: (() => Promise<void>)[] = [];
  for (const effect of request.effects ?? []) {
    const undoIt = await effect(ctx);
    if (undoIt) undo.push(undoIt);
  }
  try {
    return await deps.cases.update(request.applicationId, request.update, request.arg, { updateId });
  } catch (err) {
    // Refused: what the effects wrote goes too.
    if (refused(err)) for (const undoIt of undo.reverse()) await undoIt();
    throw err;
  }
}
