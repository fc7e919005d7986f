/**
 * A case action while no worker processes the case: Temporal keeps the update waiting and the client would
 * ask for it forever, so the API answers 503 after CASE_ACTION_TIMEOUT_SECONDS (CaseClient.update in
 * adapters/temporal/case-client.ts). The action is not lost: once a worker takes the case it is carried out, and the request
 * repeated with the same Idempotency-Key answers that action's outcome instead of acting a second time.
 */
import { intakeRequest } from '../helpers/fixtures';
import { expectConforms } from '../helpers/openapi';
import { agentFor, eventually, runWorker, startStack } from '../helpers/stack';
import type { Stack } from '../helpers/stack';
import { uniqueTaskQueue } from '../helpers/temporal';

describe('a case action while no worker processes the case', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 503 instead of waiting forever, and the same key later gets the one action carried out', async () => {
    // Cases filed through this API run on a task queue that no worker polls, until the test starts one.
    const taskQueue = uniqueTaskQueue('unserved');
    const coordinator = await stack.as('coordinator', ['08305']);
    const api = agentFor(stack.appWith({ taskQueue, caseActionTimeoutSeconds: 2 }), coordinator.token);
    const filed = await api.post('/applications').send(intakeRequest()).expect(201);
    const id = filed.body.applicationId as string;
    const escalate = (key: string) =>
      api
        .post(`/applications/${id}/escalation`)
        .set('Idempotency-Key', key)
        .send({ reason: 'Revisió urgent' });
    const escalations = () =>
      stack.db.prisma.applicationEvent.count({ where: { applicationId: id, type: 'escalated' } });

    const waiting = await escalate('escalation-first');
    expect(waiting.status).toBe(503);
    expect(waiting.headers['retry-after']).toMatch(/^\d+$/);
    expect(waiting.body.detail).toContain('Idempotency-Key');
    expectConforms(waiting);

    const stopWorker = await runWorker(taskQueue, stack.db.prisma);
    try {
      // The same key: the update already sent, now carried out, and its outcome. The new worker may take
      // longer than the 2 s bound to take the case on a loaded machine: repeated with the key (as a client
      // is told to) until it answers, the escalation is still carried out once.
      const done = await eventually(
        async () => await escalate('escalation-first'),
        (res) => res.status !== 503,
        60_000,
      );
      expect(done.status).toBe(200);
      expectConforms(done);
      expect(done.body.escalation).toMatchObject({ by: coordinator.id, reason: 'Revisió urgent' });
      expect(await escalations()).toBe(1);

      // A new key is a new action: escalations are not refused as such, the first was not repeated.
      await escalate('escalation-second').expect(200);
      expect(await escalations()).toBe(2);
    } finally {
      await stopWorker();
    }
  });

  it('bounds a bulk reassignment as a whole: a case not taking it, and those after it, are unavailable', async () => {
    const taskQueue = uniqueTaskQueue('unserved');
    const coordinator = await stack.as('coordinator', ['08305']);
    const colleague = await stack.as('social_worker', ['08305']);
    const served = agentFor(stack.app, coordinator.token);
    // Long enough for a served case to take it on a loaded CI machine; the unserved one never does.
    const unserved = agentFor(stack.appWith({ taskQueue, caseActionTimeoutSeconds: 5 }), coordinator.token);
    const file = async (api: typeof served) =>
      (await api.post('/applications').send(intakeRequest()).expect(201)).body.applicationId as string;
    // The run's order is the request's: a served case, the unserved one, another served one.
    const ids = [await file(served), await file(unserved), await file(served)];

    const run = await unserved
      .post('/coordination/reassignments')
      .send({ applicationIds: ids, assignee: colleague.id, reason: 'Baixa del tècnic', preview: false })
      .expect(200);
    expectConforms(run);
    expect(run.body.items.map((i: { outcome: string }) => i.outcome)).toEqual([
      'reassigned',
      'unavailable',
      'unavailable',
    ]);
    expect(run.body.items[1].detail).toContain('within 5 s');
    expect(run.body.items[2].detail).toContain('Not attempted');
    const reassigned = (id: string) =>
      stack.db.prisma.applicationEvent.count({ where: { applicationId: id, type: 'reassigned' } });
    expect(await reassigned(ids[2]!)).toBe(0);
  });

  it('answers a read of a case no worker processes with 503 after CASE_READ_TIMEOUT_SECONDS', async () => {
    // Without the bound, Temporal holds the query until its own deadline (30 s) and the API answers its
    // generic 503 for an unreachable dependency.
    const taskQueue = uniqueTaskQueue('unserved');
    const coordinator = await stack.as('coordinator', ['08305']);
    const api = agentFor(stack.appWith({ taskQueue, caseReadTimeoutSeconds: 2 }), coordinator.token);
    const filed = await api.post('/applications').send(intakeRequest()).expect(201);
    const id = filed.body.applicationId as string;
    const read = await api.get(`/applications/${id}`);
    expect(read.status).toBe(503);
    expect(read.headers['retry-after']).toMatch(/^\d+$/);
    expect(read.body.detail).toContain(`Application ${id} did not answer within 2 s`);
    expectConforms(read);

    // Once a worker takes the case, the same read answers its status.
    const stopWorker = await runWorker(taskQueue, stack.db.prisma);
    try {
      const answered = await api.get(`/applications/${id}`).expect(200);
      expect(answered.body.applicationId).toBe(id);
    } finally {
      await stopWorker();
    }
  });

  it('exports the personal data of a case no worker processes after CASE_READ_TIMEOUT_SECONDS, saying its live status was not read', async () => {
    // The right of access reads each RUNNING case's live status too; unbounded, each such case held the
    // export for Temporal's own 30 s.
    const taskQueue = uniqueTaskQueue('unserved');
    const coordinator = await stack.as('coordinator', ['08305']);
    const api = agentFor(stack.appWith({ taskQueue, caseReadTimeoutSeconds: 2 }), coordinator.token);
    const intake = intakeRequest();
    const filed = await api.post('/applications').send(intake).expect(201);
    const id = filed.body.applicationId as string;

    const res = await api
      .post('/subject-access-requests')
      .send({ documentNumber: intake.applicant.documentNumber });
    expect(res.status).toBe(200);
    expectConforms(res);
    const exported = (res.body.cases as { applicationId: string; temporal: Record<string, unknown> }[]).find(
      (c) => c.applicationId === id,
    );
    expect(exported?.temporal).toMatchObject({ status: 'RUNNING' });
    expect(exported?.temporal.input).toMatchObject({ applicationId: id });
    expect(exported?.temporal.liveStatus).toBeUndefined();
    // The bound's own account (unbounded, Temporal's 30 s ended in "not read from Temporal: ServiceError").
    expect(exported?.temporal.problem).toContain('did not answer within 2 s');
  });

  it('refuses an Idempotency-Key that is not one', async () => {
    const res = await stack.api
      .post('/applications/08305-2026-000001/escalation')
      .set('Idempotency-Key', 'short')
      .send({ reason: 'Revisió' })
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'headers.idempotency-key' })]);
  });
});
