/**
 * Recorded histories for the determinism gate (test/workflows/replay.test.ts): with RECORD_HISTORIES=1 the
 * workflow suites write each test's history here, one folder per generation of the workflow code. Earlier
 * generations stay in test/histories, because cases started under them may still be running; start a new
 * folder whenever a patch changes the commands a workflow issues.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const RECORDED_GENERATION = 'v9-views-follow-deadlines';

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'histories');

/** Whether this run records histories (`npm run record:histories`). */
export const recording = !!process.env.RECORD_HISTORIES;

/**
 * Writes the history of `handle` (of `runId`, or its latest run) as `<prefix>-<the test's name>.pb` in the
 * current generation's folder.
 */
export async function recordHistory(
  handle: WorkflowHandle,
  prefix: string,
  opts: { stripFromName?: RegExp; suffix?: string; runId?: string } = {},
): Promise<void> {
  const name = (expect.getState().currentTestName ?? handle.workflowId)
    .replace(opts.stripFromName ?? /^$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 80)
    .replace(/-+$/, '');
  const dir = path.join(HISTORIES_DIR, RECORDED_GENERATION);
  mkdirSync(dir, { recursive: true });
  const run = opts.runId ? handle.client.getHandle(handle.workflowId, opts.runId) : handle;
  // Binary protobuf: historyToJSON trips over Jest's second copy of protobufjs.
  const history = temporal.api.history.v1.History.encode(await run.fetchHistory()).finish();
  writeFileSync(path.join(dir, `${prefix}-${name}${opts.suffix ?? ''}.pb`), history);
}
