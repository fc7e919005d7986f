/**
 * Repair of a case held by a failing workflow task: the worker cannot replay the case's history, so every
 * workflow task fails and the case stands still (shown as `workflow_task_failing` among the stuck cases).
 *
 * Why this exists: under overload, an update and the event the main flow waits on can land in one workflow
 * task, and the SDK may then replay them in another order than the live run took (see
 * docs/decisions/0006-sdk-replay-defect-and-repair.md). No workflow code can prevent it. The remedy is
 * Temporal's own: reset the run to the last task that still replays, which re-applies the signals and
 * updates received after it and runs the activities after it again (they are idempotent: payments and notices are keyed, so nothing is done twice).
 *
 * The repair finds that point by replaying the history's prefixes with the code the workers run, and refuses
 * whenever a reset would not help: a case that is not held, a failure that is not a replay mismatch (a bug
 * that fails every new task), or a history that does not replay from its first task (an incompatible deploy,
 * which is rolled back, not reset).
 */
import { createHash } from 'node:crypto';
import Long from 'long';
import type { temporal } from '@temporalio/proto';
import { optionalTsToDate } from '@temporalio/common/lib/time';
import { AppError } from '../domain/errors';
import type { CaseClient } from '../adapters/temporal/case-client';
import type { HistoryReplayer } from '../adapters/temporal/replay';
import type { PrismaClient } from '../generated/prisma/client';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export const REPAIR_REFUSALS = {
  not_running: 'The case’s workflow is not running: there is nothing to repair',
  not_held: 'The case is not held by a failing workflow task: there is nothing to repair',
  not_a_replay_mismatch:
    'The history replays with the current code: the task fails for another reason, which a reset would not cure',
  incompatible_from_start:
    'The history does not replay from its first task: the workers run incompatible code; roll the deploy back',
  history_changed: 'The case moved on since the repair was planned; plan it again',
} as const;
export type RepairRefusal = keyof typeof REPAIR_REFUSALS;

export class RepairRefused extends Error {
  constructor(readonly reason: RepairRefusal) {
    super(REPAIR_REFUSALS[reason]);
    this.name = 'RepairRefused';
  }
}

export interface RepairPlan {
  applicationId: string;
  runId: string;
  /** The attempt of the task that keeps failing. */
  failingAttempt: number;
  /** Why the worker refuses the task, as Temporal recorded it. */
  failure: string | null;
  /** The task that no longer replays: the run is reset to it and goes on from there. */
  resetToEventId: number;
  resetToTime: string | null;
  /** What happens again after the reset: activities run again (idempotent), messages re-applied. */
  redone: {
    activities: Record<string, number>;
    updates: number;
    signals: number;
  };
}

interface WorkflowTask {
  /** 0 for the run's first task. */
  index: number;
  /** The WorkflowTaskCompleted event's id. */
  completedEventId: number;
  completedAt: string | null;
  /** Events up to this task's commands and what followed them, before the next task was scheduled. */
  prefixLength: number;
}

const num = (v: Long | number | string | null | undefined): number => Number(v ?? 0);

/** Every completed workflow task, with the history prefix that ends with its commands. */
export function completedWorkflowTasks(events: readonly HistoryEvent[]): WorkflowTask[] {
  const tasks: WorkflowTask[] = [];
  events.forEach((e, i) => {
    if (!e.workflowTaskCompletedEventAttributes) return;
    let end = i + 1;
    while (end < events.length && !events[end]!.workflowTaskScheduledEventAttributes) end++;
    tasks.push({
      index: tasks.length,
      completedEventId: num(e.eventId),
      completedAt: optionalTsToDate(e.eventTime)?.toISOString() ?? null,
      prefixLength: end,
    });
  });
  return tasks;
}

/**
 * The first completed task whose commands the current code no longer produces: its prefix is the shortest
 * that fails to replay. Undefined when the whole history replays.
 */
export async function firstNonReplayingTask(
  workflowId: string,
  history: History,
  replay: HistoryReplayer,
): Promise<WorkflowTask | undefined> {
  const events = history.events ?? [];
  const tasks = completedWorkflowTasks(events);
  // Prefixes grow, so the first failing one is the earliest task that diverges; replaying stops there.
  const prefixes = tasks.map((t) => ({ workflowId, history: { events: events.slice(0, t.prefixLength) } }));
  let index = 0;
  for await (const result of replay(prefixes)) {
    if (result.error) return tasks[index];
    index++;
  }
  return undefined;
}

/** What a reset to `resetToEventId` does again: the activities completed and messages received after it. */
function redoneAfter(events: readonly HistoryEvent[], resetToEventId: number): RepairPlan['redone'] {
  const scheduled = new Map<number, string>();
  for (const e of events) {
    const a = e.activityTaskScheduledEventAttributes;
    if (a) scheduled.set(num(e.eventId), a.activityType?.name ?? 'unknown');
  }
  const redone: RepairPlan['redone'] = { activities: {}, updates: 0, signals: 0 };
  for (const e of events) {
    if (num(e.eventId) <= resetToEventId) continue;
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed) {
      const type = scheduled.get(num(completed.scheduledEventId)) ?? 'unknown';
      redone.activities[type] = (redone.activities[type] ?? 0) + 1;
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) redone.updates++;
    else if (e.workflowExecutionSignaledEventAttributes) redone.signals++;
  }
  return redone;
}

export interface RepairDeps {
  cases: CaseClient;
  replay: HistoryReplayer;
}

/** Plans the repair of a held case, or refuses with the reason. Changes nothing. */
export async function planRepair({ cases, replay }: RepairDeps, applicationId: string): Promise<RepairPlan> {
  const described = await cases.describe(applicationId);
  if (!described) throw AppError.notFound('No such application');
  const { raw, runId, status } = described;
  if (status.name !== 'RUNNING') throw new RepairRefused('not_running');
  const attempt = raw.pendingWorkflowTask?.attempt ?? 0;
  if (attempt < 2) throw new RepairRefused('not_held');
  const history = await cases.fetchHistory(applicationId, runId);
  const events = history.events ?? [];
  const task = await firstNonReplayingTask(applicationId, history, replay);
  if (!task) throw new RepairRefused('not_a_replay_mismatch');
  if (task.index === 0) throw new RepairRefused('incompatible_from_start');
  const failed = events.filter((e) => e.workflowTaskFailedEventAttributes).at(-1);
  return {
    applicationId,
    runId,
    failingAttempt: attempt,
    failure: failed?.workflowTaskFailedEventAttributes?.failure?.message ?? null,
    resetToEventId: task.completedEventId,
    resetToTime: task.completedAt,
    redone: redoneAfter(events, task.completedEventId),
  };
}

/**
 * Plans the repair again and resets the run to the planned task. A retried request resets once: the request
 * id is derived from the run and the reset point, and Temporal answers a repeated one with the same new run.
 */
export async function applyRepair(
  deps: RepairDeps & { identity: string },
  applicationId: string,
  expected?: Pick<RepairPlan, 'runId' | 'resetToEventId'>,
): Promise<RepairPlan & { newRunId: string }> {
  const plan = await planRepair(deps, applicationId);
  if (expected && (expected.runId !== plan.runId || expected.resetToEventId !== plan.resetToEventId))
    throw new RepairRefused('history_changed');
  const requestId = createHash('sha256')
    .update(`${plan.runId}:${plan.resetToEventId}`)
    .digest('hex')
    .slice(0, 32);
  // Every signal and update received after the reset point is re-applied: staff actions are never lost.
  const newRunId = await deps.cases.reset(applicationId, plan.runId, {
    // Temporal keeps this reason in plain text in the history: it names no person (the coordinator's own
    // words go to the audit trail and the case's timeline, in PostgreSQL).
    reason: `OGPS repair of a task that no longer replays (by ${deps.identity})`,
    workflowTaskFinishEventId: Long.fromNumber(plan.resetToEventId),
    requestId,
    identity: deps.identity,
  });
  return { ...plan, newRunId };
}

/**
 * A coordinator's repair (POST /coordination/repairs): the plan (`preview`), or the reset, recorded on the
 * case's timeline with the coordinator's words: one row per new run (two requests racing on one reset get the
 * same run). A case whose row is missing (registration writes it again) keeps the audit row.
 */
export async function repairCase(
  deps: RepairDeps & { prisma: PrismaClient },
  request: {
    applicationId: string;
    by: string;
    reason: string;
    preview: boolean;
    expected?: Pick<RepairPlan, 'runId' | 'resetToEventId'> | undefined;
  },
): Promise<RepairPlan & { preview: boolean; newRunId: string | null }> {
  if (request.preview) {
    const plan = await planRepair(deps, request.applicationId);
    return { preview: true, newRunId: null, ...plan };
  }
  const repaired = await applyRepair(
    { ...deps, identity: request.by },
    request.applicationId,
    request.expected,
  );
  const projected = await deps.prisma.application.findUnique({
    where: { id: request.applicationId },
    select: { id: true },
  });
  if (projected) {
    await deps.prisma.applicationEvent.createMany({
      data: [
        {
          applicationId: request.applicationId,
          eventKey: `repair:${repaired.newRunId}`,
          type: 'workflow_repaired',
          actor: request.by,
          detail: {
            reason: request.reason,
            resetToEventId: repaired.resetToEventId,
            redone: repaired.redone,
          },
          occurredAt: new Date(),
        },
      ],
      skipDuplicates: true,
    });
  }
  return { preview: false, ...repaired };
}
