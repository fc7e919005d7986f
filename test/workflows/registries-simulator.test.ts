/**
 * The lifecycle workflow with its real activities (PostgreSQL, the PCI/SCSP connectors) against the
 * registry simulator process, in the time-skipping server: an outage that ends while the case waits, and
 * one that outlasts the office's fallback time.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { createScspClient } from '../../infra/scsp/client';
import type { ScspClient } from '../../infra/scsp/client';
import { loadReferenceData } from '../../infra/reference-data';
import { startSimulator } from '../../scripts/dev/simulator';
import type { ApplicationInput } from '../../domain/application';
import type { applicationWorkflow } from '../../workflows/application';
import { statusQuery } from '../../workflows/messages';
import { createTestDatabase } from '../helpers/db';
import type { TestDatabase } from '../helpers/db';
import { FAMILY, caseInput, finish, reach } from '../helpers/lifecycle';
import { bundleWorkflows, createTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';

type Handle = WorkflowHandle<typeof applicationWorkflow>;

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
    const taskQueue = uniqueTaskQueue();
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createActivities({
        prisma: db.prisma,
        reference: () => reference,
        scsp: { client, officialNif: '11111111H' },
      }),
    });
    const id = `08187-2026-${String(900000 + ++seq)}`;
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof applicationWorkflow>('applicationWorkflow', {
        taskQueue,
        workflowId: id,
        args: [adjust(await caseInput(env, id, 'URGENCY_FOOD', FAMILY))],
      });
      try {
        await fn(handle);
      } finally {
        await finish(handle).catch(() => undefined);
      }
    });
  }

  async function blockedOn(handle: Handle, service: string) {
    for (let i = 0; i < 60; i++) {
      const status = await handle.query(statusQuery);
      if (status.blockedOn?.includes(service)) return status;
      await env.sleep('1 minute');
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
