/**
 * Driving the application workflow in the time-skipping server: reach a state, wait for what the fakes
 * recorded, end a case, run a case with a worker of its own. The fakes themselves are in
 * scripts/dev/case-fakes.ts (the history benchmark uses them too).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ApplicationInput, ApplicationState, ApplicationStatus } from '../../domain/application';
import { FAMILY, caseInput, fakeActivities } from '../../scripts/dev/case-fakes';
import type { FakeOptions } from '../../scripts/dev/case-fakes';
import { uniqueTaskQueue } from './temporal';
import type { applicationWorkflow } from '../../workflows/application';
import { statusQuery, withdrawUpdate } from '../../workflows/messages';

/** Polls the status (advancing server time a little) until the case reaches one of the states. */
export async function reach(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle<typeof applicationWorkflow>,
  ...states: ApplicationState[]
): Promise<ApplicationStatus> {
  for (let i = 0; i < 40; i++) {
    const status = await handle.query(statusQuery);
    if (states.includes(status.state)) return status;
    await env.sleep('1 minute');
  }
  const last = await handle.query(statusQuery);
  throw new Error(`case stayed ${last.state}, expected ${states.join(' or ')}`);
}

/**
 * Ends a test's case the way the office would (the applicant withdraws) and waits for its run to finish.
 * Terminating instead can leave the Java test server's time-skipping lock held by the interrupted workflow
 * task, after which every later sleep in the suite waits in real time.
 */
export async function finish(handle: WorkflowHandle<typeof applicationWorkflow>): Promise<ApplicationStatus> {
  const status = await handle.query(statusQuery);
  if (status.state !== 'closed' && status.state !== 'withdrawn') {
    await handle.executeUpdate(withdrawUpdate, { args: [{ actor: 'test', reason: 'test over' }] });
  }
  return handle.result();
}

/** Polls (advancing server time a little) until a condition on what the fakes recorded holds. */
export async function until(env: TestWorkflowEnvironment, done: () => boolean): Promise<void> {
  for (let i = 0; i < 60 && !done(); i++) await env.sleep('1 minute');
  // A loaded machine may still be working through what those minutes woke up: give it real time, without
  // moving the clock further.
  for (let waited = 0; waited < 20_000 && !done(); waited += 100)
    await new Promise((r) => setTimeout(r, 100));
  if (!done()) throw new Error('condition not reached');
}

let caseSeq = 0;

/**
 * Runs `fn` on a new URGENCY_FOOD case of Sabadell with a worker of its own (typed fakes, a task queue per
 * case) on the time-skipping server; the case is ended before the worker stops (see finish()).
 */
export async function runCase(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  opts: FakeOptions,
  fn: (
    handle: WorkflowHandle<typeof applicationWorkflow>,
    fake: ReturnType<typeof fakeActivities>,
  ) => Promise<void>,
  adjust: (input: ApplicationInput) => ApplicationInput = (i) => i,
): Promise<void> {
  const fake = fakeActivities(opts);
  const taskQueue = uniqueTaskQueue();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: fake.activities,
  });
  const id = `08187-2026-${String(500000 + ++caseSeq)}-${taskQueue.slice(-6)}`;
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start<typeof applicationWorkflow>('applicationWorkflow', {
      taskQueue,
      workflowId: id,
      args: [adjust(await caseInput(env, id, 'URGENCY_FOOD', FAMILY, opts.attached))],
    });
    try {
      await fn(handle, fake);
    } finally {
      await finish(handle).catch(() => undefined);
    }
  });
}
