/**
 * Retention on Temporal's side: the namespace's retention (how long a closed workflow's history is kept
 * before the server purges it), the office's retention workflow, started once (both called by the worker at
 * boot, and by the dev-server tooling for the namespace), and the deletion of a case's executions when the
 * retention activity anonymises it.
 */
import type { ConnectionLike } from '@temporalio/client';
import { msNumberToTs, tsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import type { CaseClient } from './case-client';
import { GrpcStatus, grpcCode } from './errors';

const DAY_MS = 86_400_000;

/** The office's one retention workflow (workflows/retention.ts). */
export const RETENTION_WORKFLOW_ID = 'retention';

/** What both the client's and the worker's connections offer. */
type WithWorkflowService = Pick<ConnectionLike, 'workflowService'>;

/**
 * Sets the namespace's retention to `days` when it differs. Returns the retention before, in days (the
 * server stores a duration; a fraction of a day is reported as such).
 */
export async function applyNamespaceRetention(
  connection: WithWorkflowService,
  namespace: string,
  days: number,
): Promise<{ before: number; changed: boolean }> {
  const described = await connection.workflowService.describeNamespace({ namespace });
  const ttl = described.config?.workflowExecutionRetentionTtl;
  const before = tsToMs(ttl) / DAY_MS;
  if (before === days) return { before, changed: false };
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: msNumberToTs(days * DAY_MS) },
  });
  return { before, changed: true };
}

/**
 * Starts the retention workflow unless it runs already (its id is the office's one retention loop): a
 * second worker, or a restart, finds the running one and leaves it. Returns the run it found or started.
 */
export function ensureRetentionWorkflow(cases: CaseClient): Promise<string | undefined> {
  return cases.start('retentionWorkflow', RETENTION_WORKFLOW_ID, [{}], { useExisting: true });
}

/** What the activity needs of a Temporal connection: the client's and the worker's both offer it. */
export interface TemporalAccess {
  workflowService: temporal.api.workflowservice.v1.WorkflowService;
  namespace: string;
}

/**
 * Deletes every execution of a workflow id: each run visibility lists (a renewed case has one per period,
 * chained by continue-as-new), then the current run, in case visibility lags. A running one is terminated by
 * the deletion. NotFound is success: already deleted, purged by the namespace's retention, or never started.
 */
export async function deleteWorkflowExecutions(access: TemporalAccess, workflowId: string): Promise<number> {
  const { workflowService, namespace } = access;
  const runIds = new Set<string>();
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await workflowService.listWorkflowExecutions({
      namespace,
      // Case numbers are digits and dashes (checked by the caller): nothing to escape.
      query: `WorkflowId = '${workflowId}'`,
      pageSize: 100,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    for (const e of page.executions ?? []) if (e.execution?.runId) runIds.add(e.execution.runId);
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  let deleted = 0;
  const remove = async (runId?: string) => {
    try {
      await workflowService.deleteWorkflowExecution({
        namespace,
        workflowExecution: { workflowId, ...(runId ? { runId } : {}) },
      });
      deleted++;
    } catch (err) {
      if (grpcCode(err) !== GrpcStatus.NOT_FOUND) throw err;
    }
  };
  for (const runId of runIds) await remove(runId);
  await remove();
  return deleted;
}
