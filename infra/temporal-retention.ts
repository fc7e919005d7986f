/**
 * Retention on Temporal's side: the namespace's retention (how long a closed workflow's history is kept
 * before the server purges it) and the office's retention workflow, started once. Called by the worker at
 * boot, and by the dev-server tooling for the namespace.
 */
import type { Client, ConnectionLike } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { msNumberToTs, tsToMs } from '@temporalio/common/lib/time';
import type { retentionWorkflow } from '../workflows/retention';

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
export async function ensureRetentionWorkflow(
  client: Client,
  taskQueue: string,
): Promise<string | undefined> {
  try {
    const handle = await client.workflow.start<typeof retentionWorkflow>('retentionWorkflow', {
      workflowId: RETENTION_WORKFLOW_ID,
      taskQueue,
      args: [{}],
      // The server answers the running execution instead of refusing the start.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    return handle.firstExecutionRunId;
  } catch (err) {
    // Servers without conflict policies (older ones) refuse a second start instead.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return undefined;
    throw err;
  }
}
