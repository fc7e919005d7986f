/**
 * Repair of a case held by a workflow task that no longer replays, on the dev server: a small workflow runs
 * on version 1 and receives an update and a signal; workers of version 2, whose code diverges from the
 * third task on, take over and fail every task (as the SDK's reordering defect makes a case fail). The
 * repair finds the first task that does not replay, resets the run to it and the case completes, with the
 * update and the signal re-applied. It refuses whatever a reset would not cure.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { RepairRefused, applyRepair, completedWorkflowTasks, planRepair } from '../../services/repair';
import { createHistoryReplayer } from '../../worker/replayer';
import { CaseClient } from '../../adapters/temporal/case-client';
import type { RepairRefusal } from '../../services/repair';
import type { Express } from 'express';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../../api/app';
import { createLogger } from '../../adapters/logger';
import { loadReferenceData } from '../../adapters/reference-data';
import { createTestDatabase } from '../helpers/db';
import type { TestDatabase } from '../helpers/db';
import { testEnv } from '../helpers/env';
import { expectConforms } from '../helpers/openapi';
import { agentFor, createStaff } from '../helpers/stack';
import { eventually } from '../helpers/stack';
import { bundleWorkflows, uniqueTaskQueue } from '../helpers/temporal';
import { finishSignal, goUpdate } from '../fixtures/repair/messages';
import type { RepairFixtureActivities } from '../fixtures/repair/messages';

jest.setTimeout(240_000);

/** The case client the API's services reach Temporal with. */
const casesOf = (c: Client): CaseClient => new CaseClient(c, { taskQueue: 'repair' });

const HOME = '08305';
const OTHER = '08112';

const fixture = (name: string) => path.resolve(__dirname, '..', 'fixtures', 'repair', name);

let address: string;
let client: Client;
let bundles: Record<'v1' | 'v2' | 'incompatible', WorkflowBundleWithSourceMap>;

beforeAll(async () => {
  address = testEnv('OGPS_TEST_TEMPORAL_ADDRESS');
  client = new Client({ connection: await Connection.connect({ address }) });
  bundles = {
    v1: await bundleWorkflows(fixture('v1')),
    v2: await bundleWorkflows(fixture('v2')),
    incompatible: await bundleWorkflows(fixture('incompatible')),
  };
});

afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await client.connection.close();
});

const replayerFor = (version: keyof typeof bundles) =>
  createHistoryReplayer({ workflowBundle: bundles[version] });

async function refusal(p: Promise<unknown>): Promise<RepairRefusal | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    if (err instanceof RepairRefused) return err.reason;
    throw err;
  }
}

/** The activities both versions call, counting every run. */
function activities(ran: string[]): RepairFixtureActivities {
  return {
    step: async (name) => (ran.push(`step:${name}`), name),
    check: async (name) => (ran.push(`check:${name}`), `checked ${name}`),
  };
}

/** The workers' connections, closed after the suite so that nothing keeps Jest's process alive. */
const connections: NativeConnection[] = [];

async function workerOf(version: keyof typeof bundles, taskQueue: string, ran: string[]): Promise<Worker> {
  const connection = await NativeConnection.connect({ address });
  connections.push(connection);
  return Worker.create({
    connection,
    taskQueue,
    workflowBundle: bundles[version],
    activities: activities(ran),
  });
}

/** Runs the workflow on version 1 up to its wait for the signal; the case is then healthy and running. */
async function startOnVersion1(
  taskQueue: string,
  ran: string[],
  workflowId = taskQueue,
): Promise<WorkflowHandle> {
  const v1 = await workerOf('v1', taskQueue, ran);
  const handle = await client.workflow.start('repairableWorkflow', { taskQueue, workflowId });
  await v1.runUntil(async () => {
    await eventually(async () => ran.includes('step:b'), Boolean);
    await handle.executeUpdate(goUpdate, { args: ['ana'] });
    await eventually(async () => ran.includes('step:c'), Boolean);
    // Version 1 is healthy: nothing to repair.
    expect(
      await refusal(planRepair({ cases: casesOf(client), replay: replayerFor('v1') }, handle.workflowId)),
    ).toBe('not_held');
  });
  return handle;
}

/** Version 2 takes over; the signal makes it replay the history, which fails at the third task. */
async function holdOnVersion2(handle: WorkflowHandle): Promise<void> {
  await handle.signal(finishSignal);
  await eventually(
    async () => (await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0,
    (attempt) => attempt >= 2,
    60_000,
  );
}

it('resets a held run to its first task that no longer replays; the case completes with its messages re-applied', async () => {
  const taskQueue = uniqueTaskQueue('repair');
  const ran: string[] = [];
  const handle = await startOnVersion1(taskQueue, ran);
  const v2 = await workerOf('v2', taskQueue, ran);
  await v2.runUntil(async () => {
    await holdOnVersion2(handle);

    // What a reset would not cure is refused: the history replays with version 1, and no prefix of it with
    // an incompatible version.
    expect(
      await refusal(planRepair({ cases: casesOf(client), replay: replayerFor('v1') }, handle.workflowId)),
    ).toBe('not_a_replay_mismatch');
    expect(
      await refusal(
        planRepair({ cases: casesOf(client), replay: replayerFor('incompatible') }, handle.workflowId),
      ),
    ).toBe('incompatible_from_start');

    const deps = { cases: casesOf(client), replay: replayerFor('v2') };
    const plan = await planRepair(deps, handle.workflowId);
    const history = await handle.fetchHistory();
    const tasks = completedWorkflowTasks(history.events ?? []);
    // Task 1 scheduled step a, task 2 (after a) scheduled step b, which version 2 schedules as check.
    expect(plan.resetToEventId).toBe(tasks[1]!.completedEventId);
    expect(plan.failingAttempt).toBeGreaterThanOrEqual(2);
    expect(plan.failure).toMatch(/nondeterminism|TMPRL1100/i);
    expect(plan.redone).toEqual({ activities: { step: 3 }, updates: 1, signals: 1 });

    // A plan made on another run, or for another reset point, is not applied.
    expect(
      await refusal(
        applyRepair({ ...deps, identity: 'test' }, handle.workflowId, {
          runId: plan.runId,
          resetToEventId: plan.resetToEventId + 1,
        }),
      ),
    ).toBe('history_changed');

    const repaired = await applyRepair({ ...deps, identity: 'test' }, handle.workflowId, plan);
    expect(repaired.newRunId).not.toBe(plan.runId);

    const result = await client.workflow.getHandle(handle.workflowId).result();
    // The update (by ana) and the signal were re-applied to the new run: it got past both waits.
    expect([...result].sort()).toEqual(['a', 'c', 'checked b', 'update:ana']);
    // Step a completed before the reset point and did not run again; the update's step and c did.
    expect(ran.filter((r) => r === 'step:a')).toHaveLength(1);
    expect(ran.filter((r) => r === 'step:update:ana')).toHaveLength(2);
    expect(ran).toContain('check:b');

    // The repaired run replays with the code that runs it.
    const newHistory = await client.workflow.getHandle(handle.workflowId, repaired.newRunId).fetchHistory();
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundles.v2 }, newHistory, handle.workflowId),
    ).resolves.toBeUndefined();

    // Nothing left to repair: the run is closed.
    expect(await refusal(planRepair(deps, handle.workflowId))).toBe('not_running');
  });
});

describe('POST /coordination/repairs', () => {
  let db: TestDatabase;
  let app: Express;
  let coordinator: TestAgent;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = createApp({
      temporal: client,
      prisma: db.prisma,
      logger: createLogger('silent', 'test'),
      reference: loadReferenceData(),
      taskQueue: 'unused',
      replay: replayerFor('v2'),
    });
    coordinator = agentFor(app, (await createStaff(db.prisma, 'coordinator', [HOME])).token);
  });

  afterAll(async () => {
    await db.drop();
  });

  it('previews, refuses what it cannot cure, repairs a held case and puts the repair on its timeline', async () => {
    const taskQueue = uniqueTaskQueue('repair-api');
    // The small workflow stands in for a case of the home municipality, with its row in PostgreSQL.
    const applicationId = `${HOME}-2026-${String(900_000 + Math.floor(Math.random() * 99_999))}`;
    await db.prisma.application.create({
      data: {
        id: applicationId,
        municipalityCode: HOME,
        benefitCode: 'URGENCY_FOOD',
        state: 'assessment',
        applicantName: 'Persona Fictícia',
        applicantDocument: '90000001N',
        submittedAt: new Date(),
        effectiveFilingDate: new Date(),
        catalogueVersion: '2026-01',
      },
    });
    const ran: string[] = [];
    const handle = await startOnVersion1(taskQueue, ran, applicationId);
    const repair = (body: object) =>
      coordinator
        .post('/coordination/repairs')
        .send({ applicationId, reason: 'Cas encallat / Caso atascado', ...body });

    const healthy = await repair({ preview: true });
    expect(healthy.status).toBe(409);
    expect(healthy.body).toMatchObject({ rejection: 'RepairRefused', reason: 'not_held' });

    // Only coordinators repair, and only cases of their municipalities (another's answers as a missing one).
    const worker = agentFor(app, (await createStaff(db.prisma, 'social_worker', [HOME])).token);
    expect(
      (await worker.post('/coordination/repairs').send({ applicationId, reason: 'Prova / Prueba' })).status,
    ).toBe(403);
    const elsewhere = agentFor(app, (await createStaff(db.prisma, 'coordinator', [OTHER])).token);
    expect(
      (await elsewhere.post('/coordination/repairs').send({ applicationId, reason: 'Prova / Prueba' }))
        .status,
    ).toBe(404);
    expect((await repair({ reason: 'x' })).status).toBe(400);

    const v2 = await workerOf('v2', taskQueue, ran);
    await v2.runUntil(async () => {
      await holdOnVersion2(handle);
      const preview = await repair({ preview: true });
      expect(preview.status).toBe(200);
      expectConforms(preview);
      expect(preview.body).toMatchObject({
        preview: true,
        newRunId: null,
        redone: { updates: 1, signals: 1 },
      });

      const stale = await repair({
        preview: false,
        expected: { runId: preview.body.runId, resetToEventId: preview.body.resetToEventId + 2 },
      });
      expect(stale.status).toBe(409);
      expect(stale.body.reason).toBe('history_changed');

      const done = await repair({
        preview: false,
        expected: { runId: preview.body.runId, resetToEventId: preview.body.resetToEventId },
      });
      expect(done.status).toBe(200);
      expect(done.body.newRunId).toEqual(expect.any(String));
      expect([...(await client.workflow.getHandle(applicationId).result())].sort()).toEqual([
        'a',
        'c',
        'checked b',
        'update:ana',
      ]);

      const again = await repair({ preview: false });
      expect(again.status).toBe(409);
      expect(again.body.reason).toBe('not_running');
    });

    const timeline = await coordinator.get(`/coordination/timeline/${applicationId}`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ text: expect.stringContaining('Expedient reparat') }),
      ]),
    );
  });

  it('repairs a held case whose row PostgreSQL does not hold yet, leaving its timeline to registration', async () => {
    const taskQueue = uniqueTaskQueue('repair-norow');
    const applicationId = `${HOME}-2026-${String(800_000 + Math.floor(Math.random() * 99_999))}`;
    const ran: string[] = [];
    const handle = await startOnVersion1(taskQueue, ran, applicationId);
    const v2 = await workerOf('v2', taskQueue, ran);
    await v2.runUntil(async () => {
      await holdOnVersion2(handle);
      const done = await coordinator
        .post('/coordination/repairs')
        .send({ applicationId, reason: 'Cas encallat / Caso atascado', preview: false });
      expect(done.status).toBe(200);
      expect(done.body.newRunId).toEqual(expect.any(String));
      await client.workflow.getHandle(applicationId).result();
    });
    expect(await db.prisma.applicationEvent.count({ where: { applicationId } })).toBe(0);
  });
});
