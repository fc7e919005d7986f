import path from 'node:path';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflows, createTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';
import type { sleepWorkflow } from '../fixtures/sleep-workflow';

describe('the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow that sleeps 30 days in seconds of wall time', async () => {
    const taskQueue = uniqueTaskQueue();
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleWorkflows(path.resolve(__dirname, '..', 'fixtures', 'sleep-workflow')),
    });
    const serverTimeBefore = (await env.currentTimeMs()).valueOf();
    const wallBefore = Date.now();
    const slept = await worker.runUntil(
      env.client.workflow.execute<typeof sleepWorkflow>('sleepWorkflow', {
        taskQueue,
        workflowId: `sleep-${taskQueue}`,
        args: [30],
      }),
    );
    const wallElapsed = Date.now() - wallBefore;
    const serverElapsed = (await env.currentTimeMs()).valueOf() - serverTimeBefore;
    const thirtyDays = 30 * 24 * 3600 * 1000;
    // Workflow time moved by the whole 30 days while the wall clock moved by far less than one of them.
    expect(slept).toBeGreaterThanOrEqual(thirtyDays);
    expect(serverElapsed).toBeGreaterThanOrEqual(thirtyDays);
    expect(wallElapsed).toBeLessThan(24 * 3600 * 1000);
  });
});
