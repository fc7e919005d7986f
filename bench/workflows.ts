/**
 * Workflows that exist only for the benchmarks, bundled by them and never by the worker:
 * - `noopWorkflow`: the ceiling of starting workflows on this server from this machine;
 * - `deadlineProbeWorkflow`: the application's deadline mechanism alone (a durable timer to an instant of
 *   office time, then the state change written to the projection by the real activity), so thousands of them
 *   can fall due within minutes.
 */
import { condition, proxyActivities } from '@temporalio/workflow';
import type { createProjectionActivities } from '../activities/projection';
import { nowIso, nowMs } from '../workflows/clock';

// The same policy as the application workflow's projection writes: short, retried until PostgreSQL answers.
const projection = proxyActivities<ReturnType<typeof createProjectionActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function noopWorkflow(): Promise<void> {
  // Nothing: what is measured is the server and the client.
}

export async function deadlineProbeWorkflow(input: {
  applicationId: string;
  dueAtMs: number;
}): Promise<string> {
  // As the application does: wait for a condition or the deadline, whichever first; nothing signals here.
  await condition(() => false, Math.max(1, input.dueAtMs - nowMs()));
  const at = nowIso();
  await projection.recordTransition({
    applicationId: input.applicationId,
    eventKey: 'deadline',
    type: 'withdrawal_proposed',
    from: 'awaiting_documents',
    to: 'proposed',
    // The deadline travels with the step, so the benchmark can tell how late the state change was.
    note: String(input.dueAtMs),
    at,
  });
  return at;
}
