/**
 * The lifecycle workflow with its real activities (PostgreSQL, the PCI/SCSP connectors) against the
 * registry simulator process, in the time-skipping server: an outage that ends while the case waits, one of
 * hours over several cases (stuck for the coordinators, then recovered with nobody acting), and one that
 * outlasts the office's fallback time.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { DEFAULT_STUCK_THRESHOLDS } from '../../domain/stuck';
import { createCoordination } from '../../services/coordination';
import { createScspClient } from '../../adapters/scsp/client';
import type { ScspClient } from '../../adapters/scsp/client';
import { loadReferenceData } from '../../adapters/reference-data';
import { startSimulator } from '../../scripts/dev/simulator';
import type { ApplicationInput } from '../../domain/application';
import type { applicationWorkflow } from '../../workflows/application';
import { statusQuery } from '../../workflows/messages';
import { createTestDatabase } from '../helpers/db';
import type { TestDatabase } from '../helpers/db';
import { finish, reach } from '../helpers/lifecycle';
import { FAMILY, caseInput } from '../../scripts/dev/case-fakes';
import { bundleWorkflows, createTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';
import { CaseClient } from '../../adapters/temporal/case-client';

type Handle = WorkflowHandle<typeof applicationWorkflow>;

// Hours of workflow time against a real simulator process: on two busy cores a case takes longer than the
// default two minutes to get there (a limit on the run, not an assertion on speed).
jest.setTimeout(300_000);

describe('applicationWorkflow with the registry simulator', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let sim: { url: string; stop(): Promise<void> };
  let db: TestDatabase;
  let client: ScspClient;
  let seq = 0;
  const reference = loadReferenceData();

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    [env, sim, db] = await Promise.all([
      createTimeSkippingEnv(),
      startSimulator({ port: 0 }),
      createTestDatabase(),
    ]);
    client = createScspClient({ baseUrl: sim.url, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await client?.close();
    await Promise.all([env?.teardown(), sim?.stop(), db?.drop()]);
  });

  async function faults(method: 'PUT' | 'DELETE', body?: unknown): Promise<void> {
    const res = await fetch(`${sim.url}/admin/faults`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`faults: ${res.status}`);
  }

  async function withCase(
    fn: (handle: Handle) => Promise<void>,
    adjust: (input: ApplicationInput) => ApplicationInput = (input) => input,
  ) {
    await withCases(1, ([handle]) => fn(handle!), adjust);
  }

  async function withCases(
    n: number,
    fn: (handles: Handle[]) => Promise<void>,
    adjust: (input: ApplicationInput) => ApplicationInput = (input) => input,
    on: TestWorkflowEnvironment = env,
  ) {
    const taskQueue = uniqueTaskQueue();
    const worker = await Worker.create({
      connection: on.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createActivities({
        prisma: db.prisma,
        reference: () => reference,
        scsp: { client, officialNif: '11111111H' },
      }),
    });
    await worker.runUntil(async () => {
      const handles = await Promise.all(
        Array.from({ length: n }, async () => {
          const id = `08187-2026-${String(900000 + ++seq)}`;
          return on.client.workflow.start<typeof applicationWorkflow>('applicationWorkflow', {
            taskQueue,
            workflowId: id,
            args: [adjust(await caseInput(on, id, 'URGENCY_FOOD', FAMILY))],
          });
        }),
      );
      try {
        await fn(handles);
      } finally {
        await Promise.all(handles.map((h) => finish(h).catch(() => undefined)));
      }
    });
  }

  async function blockedOn(handle: Handle, service: string, on: TestWorkflowEnvironment = env) {
    for (let i = 0; i < 60; i++) {
      const status = await handle.query(statusQuery);
      if (status.blockedOn?.includes(service)) return status;
      await on.sleep('1 minute');
    }
    throw new Error(`never blocked on ${service}`);
  }

  it('waits while the municipal register is down, then takes its data once it is back', async () => {
    await faults('PUT', { service: 'PADRO', outage: true });
    await withCase(async (handle) => {
      const blocked = await blockedOn(handle, 'PADRO');
      expect(blocked.state).toBe('registered');
      const view = await db.prisma.application.findUniqueOrThrow({ where: { id: handle.workflowId } });
      expect(view.blockedOn).toEqual(['PADRO']);
      await faults('DELETE');
      const status = await reach(env, handle, 'assessment');
      expect(status.blockedOn).toBeUndefined();
      expect(status.documentRequest).toBeUndefined();
      const rows = await db.prisma.registryConsultation.findMany({
        where: { applicationId: handle.workflowId },
      });
      expect(rows.map((r) => r.service).sort()).toEqual(['AEAT_IRPF', 'INSS_PRESTACIONS', 'PADRO']);
      expect(rows.every((r) => r.status === 'obtained')).toBe(true);
      // One record for PADRO however many attempts it took.
      expect(rows.find((r) => r.service === 'PADRO')!.attempts).toBeGreaterThan(1);
    });
  });

  it('waits out an outage of hours over several cases: stuck with the reason, then recovered with nobody acting', async () => {
    // A time-skipping server of its own: six cases with activities still in flight when the worker stops can
    // leave the server's time-skipping lock held on a loaded machine, and every later sleep of the suite
    // would then wait in real time.
    const own = await createTimeSkippingEnv();
    await faults('PUT', { service: 'PADRO', outage: true });
    try {
      await withCases(
        6,
        async (handles) => {
          for (const handle of handles) await blockedOn(handle, 'PADRO', own);
          // Five hours of outage: past the coordinators' threshold (4 h), short of the fallback (24 h).
          await own.sleep('5 hours');
          const coordination = createCoordination({
            prisma: db.prisma,
            cases: new CaseClient(own.client, { taskQueue: 'registries-simulator' }),
            calendar: reference.calendar,
            thresholds: DEFAULT_STUCK_THRESHOLDS,
          });
          const ids = handles.map((h) => h.workflowId);
          const during = await coordination.stuck(['08187'], new Date(await own.currentTimeMs()));
          for (const id of ids) {
            const found = during.find((c) => c.applicationId === id);
            expect(found?.findings).toEqual(
              expect.arrayContaining([
                expect.objectContaining({
                  reason: 'registry_unavailable',
                  detail: expect.stringContaining('PADRO'),
                }),
              ]),
            );
          }
          for (const handle of handles) {
            const view = await db.prisma.application.findUniqueOrThrow({ where: { id: handle.workflowId } });
            expect(view.blockedOn).toEqual(['PADRO']);
          }

          // The register comes back; nobody touches the cases: the next scheduled round takes the answer.
          await faults('DELETE');
          // The next round is at most an hour away (rounds are hourly after the first hour).
          await own.sleep('1 hour');
          for (const handle of handles) {
            const status = await reach(own, handle, 'assessment');
            expect(status.blockedOn).toBeUndefined();
            expect(status.documentRequest).toBeUndefined();
          }
          const after = await coordination.stuck(['08187'], new Date(await own.currentTimeMs()));
          const stillBlocked = after.filter(
            (c) =>
              ids.includes(c.applicationId) && c.findings.some((f) => f.reason === 'registry_unavailable'),
          );
          expect(stillBlocked).toEqual([]);
          const padro = await db.prisma.registryConsultation.findMany({
            where: { applicationId: { in: ids }, service: 'PADRO' },
          });
          expect(padro).toHaveLength(ids.length);
          expect(padro.every((r) => r.status === 'obtained' && r.attempts > 1)).toBe(true);
        },
        undefined,
        own,
      );
    } finally {
      await faults('DELETE');
      await own.teardown();
    }
  });

  it('asks the person for the certificate of residence when the register stays down past the fallback', async () => {
    await faults('PUT', { service: 'PADRO', outage: true });
    try {
      await withCase(async (handle) => {
        await blockedOn(handle, 'PADRO');
        await env.sleep('25 hours');
        const status = await reach(env, handle, 'awaiting_documents');
        expect(status.documentRequest?.documents.map((d) => d.code)).toEqual(['RESIDENCE']);
        expect(status.registries?.find((r) => r.service === 'PADRO')).toMatchObject({
          state: 'not_obtained',
          detail: expect.stringContaining('unavailable for 24 h'),
        });
        const padro = await db.prisma.registryConsultation.findFirstOrThrow({
          where: { applicationId: handle.workflowId, service: 'PADRO' },
        });
        expect(padro.status).not.toBe('obtained');
        expect(padro.outcome).toMatch(/503/);
      });
    } finally {
      await faults('DELETE');
    }
  });

  it('never consults a register the person objected to: asks for the certificate instead', async () => {
    await withCase(
      async (handle) => {
        const status = await reach(env, handle, 'awaiting_documents');
        expect(status.documentRequest?.documents.map((d) => d.code)).toEqual(['RESIDENCE']);
        // The checklist leaves the objected register out: nothing is scheduled, nothing is sent.
        expect(status.registries?.map((r) => r.service).sort()).toEqual(['AEAT_IRPF', 'INSS_PRESTACIONS']);
        const res = await fetch(`${sim.url}/admin/requests?service=PADRO`);
        const log = (await res.json()) as { idPeticion: string }[];
        expect(log.filter((r) => r.idPeticion.startsWith(handle.workflowId))).toEqual([]);
        // The other registries were asked as usual.
        const rows = await db.prisma.registryConsultation.findMany({
          where: { applicationId: handle.workflowId },
          orderBy: { service: 'asc' },
        });
        expect(rows.map((r) => [r.service, r.status])).toEqual([
          ['AEAT_IRPF', 'obtained'],
          ['INSS_PRESTACIONS', 'obtained'],
        ]);
      },
      (input) => ({ ...input, consent: { objections: ['PADRO'], taxConsent: true } }),
    );
  });
});
