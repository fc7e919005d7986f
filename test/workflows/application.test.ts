import { WorkflowNotFoundError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Activities } from '../../activities';
import type { RecordApplicationInput, RecordTransitionInput } from '../../activities/projection';
import { RejectionType } from '../../domain/errors';
import type { applicationWorkflow } from '../../workflows/application';
import { statusQuery, withdrawUpdate } from '../../workflows/messages';
import { applicationInput } from '../helpers/fixtures';
import { rejectionType } from '../helpers/failures';
import { bundleWorkflows, createTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';

/** Activities that record what the workflow asked of them, instead of writing to PostgreSQL. */
function recordingActivities() {
  const calls = { applications: [] as RecordApplicationInput[], transitions: [] as RecordTransitionInput[] };
  const activities: Activities = {
    async recordApplication(input) {
      calls.applications.push(input);
    },
    async recordTransition(input) {
      calls.transitions.push(input);
    },
  };
  return { calls, activities };
}

describe('applicationWorkflow', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    // One after the other: the test server's JVM must not start while webpack holds the CPU.
    bundle = await bundleWorkflows();
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  async function withWorker<T>(activities: Activities, fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = uniqueTaskQueue();
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities,
    });
    return worker.runUntil(fn(taskQueue));
  }

  it('registers the application and answers its status', async () => {
    const { calls, activities } = recordingActivities();
    const input = applicationInput('08305-2026-000001');
    await withWorker(activities, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof applicationWorkflow>('applicationWorkflow', {
        taskQueue,
        workflowId: input.applicationId,
        args: [input],
      });
      // The update waits for registration, so once it is answered the entry has been recorded.
      let status = await handle.query(statusQuery);
      for (let i = 0; status.state === 'submitted' && i < 50; i++) {
        await env.sleep('1 second');
        status = await handle.query(statusQuery);
      }
      expect(status).toMatchObject({ applicationId: input.applicationId, state: 'registered' });
      expect(status.history.map((s) => s.type)).toEqual(['submitted', 'registered']);
      expect(calls.applications).toHaveLength(1);
      expect(calls.applications[0]).toMatchObject({
        applicationId: input.applicationId,
        municipalityCode: '08305',
      });
      await handle.terminate('test over');
    });
  });

  it('is withdrawn by the applicant, completes, and accepts no further update', async () => {
    const { calls, activities } = recordingActivities();
    const input = applicationInput('08305-2026-000002');
    await withWorker(activities, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof applicationWorkflow>('applicationWorkflow', {
        taskQueue,
        workflowId: input.applicationId,
        args: [input],
      });
      const withdrawn = await handle.executeUpdate(withdrawUpdate, {
        args: [{ actor: 'citizen', reason: 'Ja no ho necessito' }],
      });
      expect(withdrawn.state).toBe('withdrawn');
      expect(withdrawn.closedAt).toBeDefined();
      expect(calls.transitions).toEqual([
        expect.objectContaining({
          applicationId: input.applicationId,
          from: 'registered',
          to: 'withdrawn',
          actor: 'citizen',
        }),
      ]);
      const result = await handle.result();
      expect(result.state).toBe('withdrawn');
      // The case is over and its workflow completed: the server itself refuses any further update.
      await expect(
        handle.executeUpdate(withdrawUpdate, { args: [{ actor: 'citizen' }] }),
      ).rejects.toBeInstanceOf(WorkflowNotFoundError);
    });
  });

  it('refuses a withdrawal that names nobody', async () => {
    const { calls, activities } = recordingActivities();
    const input = applicationInput('08305-2026-000003');
    await withWorker(activities, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof applicationWorkflow>('applicationWorkflow', {
        taskQueue,
        workflowId: input.applicationId,
        args: [input],
      });
      expect(await rejectionType(handle.executeUpdate(withdrawUpdate, { args: [{ actor: '' }] }))).toBe(
        RejectionType.InvalidInput,
      );
      expect((await handle.query(statusQuery)).state).not.toBe('withdrawn');
      expect(calls.transitions).toHaveLength(0);
      await handle.terminate('test over');
    });
  });

  it('keeps retrying the projection while the database is away, and loses no step', async () => {
    let failuresLeft = 3;
    const { calls, activities } = recordingActivities();
    const flaky: Activities = {
      ...activities,
      async recordApplication(input) {
        if (failuresLeft-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        await activities.recordApplication(input);
      },
    };
    const input = applicationInput('08305-2026-000004');
    await withWorker(flaky, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof applicationWorkflow>('applicationWorkflow', {
        taskQueue,
        workflowId: input.applicationId,
        args: [input],
      });
      const status = await handle.executeUpdate(withdrawUpdate, { args: [{ actor: 'staff-2' }] });
      expect(status.history.map((s) => s.type)).toEqual(['submitted', 'registered', 'withdrawn']);
      expect(calls.applications).toHaveLength(1);
      expect(failuresLeft).toBe(-1);
    });
  });
});
