/**
 * The coordinators' views over HTTP against the running stack, with the registry simulator: a case blocked
 * on an unavailable registry and a case whose workflow task fails show as stuck with their reasons; the
 * office's deadlines, the workload, a case's timeline, bulk reassignment with its preview, and metrics.
 */
import { createProjectionActivities } from '../../activities/projection';
import { applicationInput, intakeRequest } from '../helpers/fixtures';
import { expectConforms } from '../helpers/openapi';
import { eventually, startStackWithRegistries } from '../helpers/stack';
import type { StackWithRegistries, StaffSession } from '../helpers/stack';

const HOME = '08305';

describe('coordination', () => {
  let stack: StackWithRegistries;
  let coordinator: StaffSession;
  let outsider: StaffSession;
  let admin: StaffSession;
  let socialWorker: StaffSession;

  beforeAll(async () => {
    stack = await startStackWithRegistries();
    coordinator = await stack.as('coordinator', [HOME]);
    outsider = await stack.as('coordinator', ['08096']);
    admin = await stack.as('administrative', [HOME]);
    socialWorker = await stack.as('social_worker', [HOME]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function file(): Promise<string> {
    const res = await admin.api
      .post('/applications')
      .send(intakeRequest({ municipalityCode: HOME }))
      .expect(201);
    return res.body.applicationId as string;
  }

  it('shows a case blocked on an unavailable registry, with why, since when and what to do', async () => {
    await stack.registryDown('PADRO');
    try {
      const id = await file();
      const stuck = await eventually(
        async () => {
          const res = await coordinator.api.get('/coordination/stuck').expect(200);
          expectConforms(res);
          return res.body as {
            items: {
              applicationId: string;
              findings: { reason: string; detail: string; action: string; since: string }[];
            }[];
          };
        },
        (body) =>
          body.items.some(
            (c) => c.applicationId === id && c.findings.some((f) => f.reason === 'registry_unavailable'),
          ),
        40_000,
      );
      // While a round of attempts is under way the engine also reports the activity retrying.
      const found = stuck.items.find((c) => c.applicationId === id)!;
      const blocked = found.findings.find((f) => f.reason === 'registry_unavailable')!;
      expect(blocked).toMatchObject({
        detail: expect.stringContaining('PADRO'),
        action: expect.stringContaining('Esperar'),
      });
      expect(Date.parse(blocked.since)).not.toBeNaN();
      const filtered = await coordinator.api.get('/coordination/stuck').query({ reason: 'idle' }).expect(200);
      expect(filtered.body.items.map((c: { applicationId: string }) => c.applicationId)).not.toContain(id);
      const elsewhere = await outsider.api.get('/coordination/stuck').expect(200);
      expect(elsewhere.body.items).toEqual([]);
      expectConforms(await admin.api.get('/coordination/stuck').expect(403));
    } finally {
      await stack.registriesBack();
    }
  });

  it('shows a case whose workflow cannot run (a failing workflow task) as stuck', async () => {
    const id = `${HOME}-2026-${String(Date.now()).slice(-6)}`;
    const input = applicationInput(id);
    await createProjectionActivities({ prisma: stack.db.prisma }).recordApplication({
      ...input,
      eventKey: `${id}:registered`,
      registeredAt: new Date().toISOString(),
    });
    // A bug, as far as the workflow is concerned: its calendar data is missing, so every task fails.
    await stack.client.workflow.start('applicationWorkflow', {
      workflowId: id,
      taskQueue: stack.taskQueue,
      args: [{ ...input, calendar: null }],
    });
    try {
      const stuck = await eventually(
        async () =>
          (await coordinator.api.get('/coordination/stuck').expect(200)).body as {
            items: { applicationId: string; findings: { reason: string }[] }[];
          },
        (body) =>
          body.items.some(
            (c) => c.applicationId === id && c.findings.some((f) => f.reason === 'workflow_task_failing'),
          ),
        40_000,
      );
      expect(stuck.items.find((c) => c.applicationId === id)!.findings.map((f) => f.reason)).toContain(
        'workflow_task_failing',
      );
    } finally {
      await stack.client.workflow.getHandle(id).terminate('test over');
    }
  });

  it('puts an escalated case at the top of the stuck list, with who escalated it and why', async () => {
    const id = await file();
    await eventually(
      () => stack.db.prisma.application.findUnique({ where: { id } }),
      (row) => row?.state === 'awaiting_documents',
    );
    expectConforms(
      await admin.api
        .post(`/applications/${id}/escalation`)
        .send({ reason: 'La família no té subministraments' })
        .expect(200),
    );
    const stuck = await eventually(
      async () =>
        (await coordinator.api.get('/coordination/stuck').query({ reason: 'escalated' }).expect(200))
          .body as {
          items: { applicationId: string; findings: { reason: string; detail: string }[] }[];
        },
      (b) => b.items.some((c) => c.applicationId === id),
    );
    expect(stuck.items.find((c) => c.applicationId === id)!.findings[0]).toMatchObject({
      reason: 'escalated',
      detail: expect.stringContaining(`${admin.id}: La família no té subministraments`),
    });
  });

  it('lists the office’s deadlines by date with their legal basis, and the workload', async () => {
    const id = await file();
    await eventually(
      () =>
        stack.db.prisma.applicationDeadline.count({ where: { applicationId: id, kind: 'document_request' } }),
      (n) => n === 1,
    );
    const res = await coordinator.api.get('/coordination/deadlines').expect(200);
    expectConforms(res);
    const mine = (
      res.body.items as { applicationId: string; kind: string; bucket: string; legalBasis: string[] }[]
    ).filter((d) => d.applicationId === id);
    expect(mine.map((d) => d.kind)).toEqual(expect.arrayContaining(['document_request']));
    expect(mine.find((d) => d.kind === 'document_request')!.legalBasis.join(' ')).toMatch(/68/);
    const later = await coordinator.api
      .get('/coordination/deadlines')
      .query({ bucket: 'overdue' })
      .expect(200);
    expect(later.body.items.map((d: { applicationId: string }) => d.applicationId)).not.toContain(id);
    expect(res.body.counts).toMatchObject({ overdue: expect.any(Number), today: expect.any(Number) });

    // A page at a time, soonest first, each deadline once; a forged cursor is a 400.
    const all = (res.body.items as { applicationId: string; kind: string; dueDate: string }[]).map(
      (d) => `${d.dueDate} ${d.applicationId} ${d.kind}`,
    );
    const paged: string[] = [];
    for (let cursor: string | null = null, pages = 0; pages === 0 || cursor; pages++) {
      const page = await coordinator.api
        .get('/coordination/deadlines')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .expect(200);
      expectConforms(page);
      paged.push(
        ...(page.body.items as { applicationId: string; kind: string; dueDate: string }[]).map(
          (d) => `${d.dueDate} ${d.applicationId} ${d.kind}`,
        ),
      );
      cursor = page.body.nextCursor as string | null;
    }
    expect(paged).toEqual(all);
    await coordinator.api.get('/coordination/deadlines').query({ cursor: 'bm90LWEtY3Vyc29y' }).expect(400);

    const workload = await coordinator.api.get('/coordination/workload').expect(200);
    expectConforms(workload);
    expect(workload.body.openCases).toBeGreaterThan(0);
    expect(workload.body.waitingOn.citizen).toBeGreaterThan(0);
    expect(workload.body.perState.awaiting_documents).toBeGreaterThan(0);
  });

  it('tells a case’s story in Catalan with Spanish', async () => {
    const id = await file();
    await eventually(
      () =>
        stack.db.prisma.applicationEvent.count({ where: { applicationId: id, type: 'document_request' } }),
      (n) => n === 1,
    );
    const res = await coordinator.api.get(`/coordination/timeline/${id}`).expect(200);
    expectConforms(res);
    const texts = (res.body.entries as { text: string; kind: string }[]).map((e) => e.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        'Registrada / Registrada',
        expect.stringContaining('Requeriment d’esmena / Requerimiento de subsanación'),
        expect.stringMatching(/^Consulta \/ Consulta PADRO: obtinguda \/ obtenida/),
      ]),
    );
    await outsider.api.get(`/coordination/timeline/${id}`).expect(404);
  });

  it('reassigns in bulk: a preview touches nothing, the run records who and why', async () => {
    const ids = [await file(), await file()];
    for (const id of ids) {
      await eventually(
        () => stack.db.prisma.application.findUnique({ where: { id } }),
        (row) => row?.state === 'awaiting_documents',
      );
    }
    const body = {
      applicationIds: [...ids, '08096-2026-000001'],
      assignee: socialWorker.id,
      reason: 'Vacances de la Marta',
    };
    const preview = await coordinator.api.post('/coordination/reassignments').send(body).expect(200);
    expectConforms(preview);
    expect(preview.body.items.map((i: { outcome: string }) => i.outcome)).toEqual([
      'would_reassign',
      'would_reassign',
      'not_found',
    ]);
    expect((await stack.db.prisma.application.findUnique({ where: { id: ids[0]! } }))?.assignee).toBeNull();
    const run = await coordinator.api
      .post('/coordination/reassignments')
      .send({ ...body, preview: false })
      .expect(200);
    expect(run.body.items.map((i: { outcome: string }) => i.outcome)).toEqual([
      'reassigned',
      'reassigned',
      'not_found',
    ]);
    const events = await eventually(
      () =>
        stack.db.prisma.applicationEvent.findMany({ where: { applicationId: ids[0]!, type: 'reassigned' } }),
      (rows) => rows.length === 1,
    );
    expect(events[0]).toMatchObject({
      actor: coordinator.id,
      detail: { note: expect.stringContaining('Vacances de la Marta') },
    });
    await socialWorker.api.post('/coordination/reassignments').send(body).expect(403);
  });

  it('exposes Prometheus metrics without personal data', async () => {
    const res = await coordinator.api.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/ogps_cases\{state="awaiting_documents",municipality="08305"\} \d+/);
    expect(res.text).toContain('# TYPE ogps_stuck_cases gauge');
    expect(res.text).toMatch(
      /ogps_registry_consultations\{service="PADRO",status="obtained",retried="any"\} \d+/,
    );
    expect(res.text).not.toMatch(/\d{8}[A-Z]/); // no document numbers
    // The stuck counts come from a whole scan the scrape starts in the background and never waits for: a
    // later scrape reports it, with when it finished, and the cases it found stuck.
    const later = await eventually(
      async () => (await coordinator.api.get('/metrics').expect(200)).text,
      (text) => /^ogps_stuck_scan_timestamp_seconds [1-9]\d*$/m.test(text),
    );
    const finished = Number(/^ogps_stuck_scan_timestamp_seconds (\d+)$/m.exec(later)![1]);
    expect(Math.abs(finished - Date.now() / 1000)).toBeLessThan(60);
    // The case escalated above is still stuck for that reason.
    expect(later).toMatch(/^ogps_stuck_cases\{reason="escalated"\} [1-9]\d*$/m);
  });
});
