/**
 * The retention workflow on the time-skipping server with a scripted activity: it goes on at once while a
 * batch leaves cases due, sleeps until the next case falls due (at most a day), waits an hour after a batch
 * that failed, and continues as new after its rounds.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { AnonymiseInput, AnonymiseResult } from '../../activities/retention';
import type { retentionWorkflow } from '../../workflows/retention';
import { recordHistory, recording } from '../helpers/histories';
import { bundleWorkflows, createTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('the retention workflow', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('sleeps until the next case falls due, at most a day, and continues as new', async () => {
    const calls: { at: number; runId: string; batchSize: number }[] = [];
    // What each call answers, given when it was scheduled (server time).
    const script: ((at: number) => AnonymiseResult | Error)[] = [
      () => ({ anonymised: 2, moreDue: true, nextDueAt: null }), // more due: the next round at once
      (at) => ({ anonymised: 2, moreDue: false, nextDueAt: new Date(at + 6 * HOUR).toISOString() }),
      () => ({ anonymised: 1, moreDue: false, nextDueAt: null }), // nothing waiting: a day
      // (a new run: three rounds per run in this test)
      (at) => ({ anonymised: 0, moreDue: false, nextDueAt: new Date(at + 10 * 24 * HOUR).toISOString() }),
      () => ApplicationFailure.nonRetryable('PostgreSQL away', 'Unavailable'),
      () => ({ anonymised: 0, moreDue: false, nextDueAt: null }),
    ];
    const activities = {
      async anonymiseDueCases(input: AnonymiseInput): Promise<AnonymiseResult> {
        const info = Context.current().info;
        const at = info.scheduledTimestampMs;
        calls.push({ at, runId: info.workflowExecution?.runId ?? '', batchSize: input.batchSize });
        const answer = (script[calls.length - 1] ?? script.at(-1)!)(at);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    };
    const taskQueue = uniqueTaskQueue('retention');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities,
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof retentionWorkflow>('retentionWorkflow', {
        workflowId: `retention-${taskQueue}`,
        taskQueue,
        args: [{ roundsPerRun: 3, batchSize: 7 }],
      });
      for (let i = 0; i < 200 && calls.length < script.length; i++) await env.sleep('30 minutes');
      await handle.terminate('test over');
      // The determinism gate replays both runs: the one that continued as new, and the next.
      if (recording) {
        await recordHistory(handle, 'retention', { runId: calls[0]!.runId, suffix: '-run-1' });
        await recordHistory(handle, 'retention', { runId: calls[3]!.runId, suffix: '-run-2' });
      }
    });

    expect(calls.length).toBeGreaterThanOrEqual(script.length);
    const gap = (i: number) => calls[i]!.at - calls[i - 1]!.at;
    const within = (ms: number, expected: number) => ms >= expected && ms < expected + MINUTE;
    expect(calls.every((c) => c.batchSize === 7)).toBe(true);
    expect(gap(1)).toBeLessThan(MINUTE); // more was due: no sleep
    expect(within(gap(2), 6 * HOUR)).toBe(true); // the next case's due time
    expect(within(gap(3), 24 * HOUR)).toBe(true); // nothing waiting: the longest sleep
    expect(within(gap(4), 24 * HOUR)).toBe(true); // due in 10 days: capped at a day
    expect(within(gap(5), HOUR)).toBe(true); // after a failed batch: an hour
    // Three rounds per run: the fourth call is the first of a new run (continue-as-new).
    expect(new Set(calls.slice(0, 3).map((c) => c.runId)).size).toBe(1);
    expect(calls[3]!.runId).not.toBe(calls[2]!.runId);
  });
});
