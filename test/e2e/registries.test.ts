/**
 * The registry connectors against the simulator process over HTTP (no in-process mocks): each service's
 * answer, each business outcome, outages, malformed and asynchronous answers, consent, and the audit record
 * of every consultation in PostgreSQL.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createProjectionActivities } from '../../activities/projection';
import { createRegistryActivities } from '../../activities/registries';
import type { RegistryConsultationInput } from '../../activities/registries';
import { RejectionType } from '../../domain/errors';
import { createScspClient } from '../../adapters/scsp/client';
import type { ScspClient } from '../../adapters/scsp/client';
import { SERVICE_CODES } from '../../adapters/scsp/protocol';
import type { ServiceCode } from '../../adapters/scsp/protocol';
import { startSimulator } from '../../scripts/dev/simulator';
import { NAMED_PEOPLE } from '../../simulator/population';
import { createTestDatabase } from '../helpers/db';
import type { TestDatabase } from '../helpers/db';
import { applicationInput } from '../helpers/fixtures';

const ORDINARY = '12345678Z';
const person = (label: string): string => {
  const found = NAMED_PEOPLE.find((p) => p.label === label);
  if (!found) throw new Error(`no named person ${label}`);
  return found.document;
};

describe('registry connectors against the simulator', () => {
  let sim: { url: string; stop(): Promise<void> };
  let db: TestDatabase;
  let client: ScspClient;
  let registries: ReturnType<typeof createRegistryActivities>;
  let seq = 0;

  beforeAll(async () => {
    [sim, db] = await Promise.all([startSimulator({ port: 0 }), createTestDatabase()]);
    client = createScspClient({ baseUrl: sim.url, timeoutMs: 5000 });
    registries = createRegistryActivities({ prisma: db.prisma, scsp: { client, officialNif: '11111111H' } });
  });
  afterAll(async () => {
    await client?.close();
    await Promise.all([sim?.stop(), db?.drop()]);
  });
  afterEach(async () => {
    await admin('DELETE', '/admin/faults');
  });

  async function admin(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : res.json();
  }

  async function requestsTo(service: string, document: string): Promise<number> {
    const log = (await admin('GET', `/admin/requests?service=${service}&document=${document}`)) as unknown[];
    return log.length;
  }

  /** A case recorded as the workflow records it at registration (with its consent per service). */
  async function newCase(
    document = ORDINARY,
    consent = { objections: [] as string[], taxConsent: true },
  ): Promise<string> {
    const id = `08305-2026-${String(++seq).padStart(6, '0')}`;
    const input = applicationInput(id, {
      applicant: {
        firstName: 'Pau',
        lastName: 'Vila',
        documentType: document.match(/^[XYZ]/) ? 'NIE' : 'DNI',
        documentNumber: document,
        language: 'ca',
      },
      consent,
    });
    await createProjectionActivities({ prisma: db.prisma }).recordApplication({
      ...input,
      eventKey: `${id}:registered`,
      registeredAt: new Date().toISOString(),
    });
    return id;
  }

  function consultation(
    applicationId: string,
    service: ServiceCode,
    document = ORDINARY,
  ): RegistryConsultationInput {
    return {
      requestId: `${applicationId}:p1:filing:${service}`,
      applicationId,
      period: 1,
      service,
      municipalityCode: '08305',
      procedure: 'OGPS-URGENCY_FOOD',
      purpose: 'Comprovació de requisits / Comprobación de requisitos',
      consent: service.startsWith('AEAT') ? 'Si' : 'NoOpo',
      requestedBy: 'staff-1',
      holder: { documentType: document.match(/^[XYZ]/) ? 'NIE' : 'DNI', documentNumber: document },
      referenceDate: '2026-03-02',
    };
  }

  /** The failure's type and whether Temporal may retry it. */
  async function failureOf(p: Promise<unknown>): Promise<{ type?: string | undefined; retryable: boolean }> {
    try {
      await p;
    } catch (err) {
      if (err instanceof ApplicationFailure)
        return { type: err.type ?? undefined, retryable: !err.nonRetryable };
      throw err;
    }
    throw new Error('expected a failure');
  }

  it.each(SERVICE_CODES)(
    'obtains %s for an ordinary registered person, and records the consultation',
    async (service) => {
      const id = await newCase();
      const answer = await registries.consultRegistry(consultation(id, service));
      expect(answer.status).toBe('obtained');
      const row = await db.prisma.registryConsultation.findUniqueOrThrow({
        where: { requestId: `${id}:p1:filing:${service}` },
      });
      expect(row).toMatchObject({
        applicationId: id,
        service,
        status: 'obtained',
        requestedBy: 'staff-1',
        purpose: expect.stringContaining('Comprovació'),
        holderDocument: ORDINARY,
        attempts: 1,
      });
      expect(row.answeredAt).not.toBeNull();
      if (service === 'PADRO' && answer.status === 'obtained') {
        expect(answer.facts).toMatchObject({ registeredInMunicipality: true, deceased: false });
      }
    },
  );

  it('does not ask again for a result already obtained for the case', async () => {
    const id = await newCase();
    await registries.consultRegistry(consultation(id, 'PADRO'));
    const again = await registries.consultRegistry(consultation(id, 'PADRO'));
    expect(again).toMatchObject({ status: 'obtained', reused: true });
    expect(await requestsTo('PADRO', ORDINARY)).toBeGreaterThanOrEqual(1);
    const before = await requestsTo('PADRO', ORDINARY);
    await registries.consultRegistry(consultation(id, 'PADRO'));
    expect(await requestsTo('PADRO', ORDINARY)).toBe(before);
    expect(await db.prisma.registryConsultation.count({ where: { applicationId: id } })).toBe(1);
  });

  it.each([
    ['no_data', 'PADRO', RejectionType.RegistryNotFound, 'not_found'],
    ['deceased', 'INSS_PRESTACIONS', RejectionType.RegistryNotFound, 'not_found'],
    ['objector', 'PADRO', RejectionType.RegistryNoConsent, 'no_consent'],
  ] as const)(
    'answers a business outcome for %s on %s: not retryable, recorded',
    async (label, service, type, status) => {
      const document = person(label);
      const id = await newCase(document);
      expect(await failureOf(registries.consultRegistry(consultation(id, service, document)))).toEqual({
        type,
        retryable: false,
      });
      const row = await db.prisma.registryConsultation.findFirstOrThrow({ where: { applicationId: id } });
      expect(row).toMatchObject({ status, attempts: 1 });
      expect(row.outcome).toBeTruthy();
    },
  );

  it('refuses an invalid document as a business outcome', async () => {
    const id = await newCase('12345678A'); // wrong check letter
    expect(await failureOf(registries.consultRegistry(consultation(id, 'PADRO', '12345678A')))).toEqual({
      type: RejectionType.RegistryInvalidDocument,
      retryable: false,
    });
  });

  it('reads the edge cases of the population: deceased, moved away, specially protected', async () => {
    const deceased = person('deceased');
    let answer = await registries.consultRegistry(consultation(await newCase(deceased), 'PADRO', deceased));
    expect(answer).toMatchObject({
      status: 'obtained',
      facts: { deceased: true, registeredInMunicipality: false },
    });
    const moved = person('moved_away');
    answer = await registries.consultRegistry(consultation(await newCase(moved), 'PADRO', moved));
    expect(answer).toMatchObject({ status: 'obtained', facts: { registeredInMunicipality: false } });
    const protectedPerson = person('protected');
    answer = await registries.consultRegistry(
      consultation(await newCase(protectedPerson), 'PADRO', protectedPerson),
    );
    expect(answer).toMatchObject({
      status: 'obtained',
      facts: { specialProtection: true, registeredInMunicipality: true },
    });
  });

  it('never calls a service the person objected to, nor tax data without express consent', async () => {
    const id = await newCase(ORDINARY, { objections: ['SEPE'], taxConsent: false });
    const before = await requestsTo('SEPE', ORDINARY);
    expect(await failureOf(registries.consultRegistry(consultation(id, 'SEPE')))).toEqual({
      type: RejectionType.RegistryNoConsent,
      retryable: false,
    });
    expect(await failureOf(registries.consultRegistry(consultation(id, 'AEAT_IRPF')))).toEqual({
      type: RejectionType.RegistryNoConsent,
      retryable: false,
    });
    expect(await requestsTo('SEPE', ORDINARY)).toBe(before);
    const rows = await db.prisma.registryConsultation.findMany({ where: { applicationId: id } });
    expect(rows.map((r) => r.status)).toEqual(['no_consent', 'no_consent']);
  });

  it('treats an outage as retryable, keeps one record across attempts, and obtains once it ends', async () => {
    const id = await newCase();
    await admin('PUT', '/admin/faults', { service: 'PADRO', outage: true });
    expect(await failureOf(registries.consultRegistry(consultation(id, 'PADRO')))).toEqual({
      type: 'RegistryUnavailable',
      retryable: true,
    });
    expect(await failureOf(registries.consultRegistry(consultation(id, 'PADRO')))).toMatchObject({
      retryable: true,
    });
    await admin('DELETE', '/admin/faults');
    expect((await registries.consultRegistry(consultation(id, 'PADRO'))).status).toBe('obtained');
    const rows = await db.prisma.registryConsultation.findMany({ where: { applicationId: id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'obtained', attempts: 3 });
  });

  it('treats a malformed answer as retryable', async () => {
    const id = await newCase();
    await admin('PUT', '/admin/faults', { service: 'RGC_CONSULTA', malformedNext: 2 });
    for (let i = 0; i < 2; i++) {
      expect(await failureOf(registries.consultRegistry(consultation(id, 'RGC_CONSULTA')))).toEqual({
        type: 'RegistryUnavailable',
        retryable: true,
      });
    }
    expect((await registries.consultRegistry(consultation(id, 'RGC_CONSULTA'))).status).toBe('obtained');
  });

  it('follows an asynchronous answer: pending, then the answer under the same request id', async () => {
    const id = await newCase();
    await admin('PUT', '/admin/faults', { service: 'AEAT_IRPF', async: { polls: 2, estimatedHours: 0.5 } });
    const first = await registries.consultRegistry(consultation(id, 'AEAT_IRPF'));
    expect(first).toEqual({ status: 'pending', retryAfterSeconds: 1800 });
    expect((await registries.consultRegistry(consultation(id, 'AEAT_IRPF'))).status).toBe('pending');
    const answer = await registries.consultRegistry(consultation(id, 'AEAT_IRPF'));
    expect(answer.status).toBe('obtained');
    if (answer.status === 'obtained') expect(answer.facts.annualIncome).toEqual(expect.any(Number));
    const row = await db.prisma.registryConsultation.findFirstOrThrow({ where: { applicationId: id } });
    expect(row).toMatchObject({ status: 'obtained', attempts: 3 });
  });

  it('says no registry is configured when there is no connector', async () => {
    const none = createRegistryActivities({ prisma: db.prisma });
    const id = await newCase();
    expect(await failureOf(none.consultRegistry(consultation(id, 'PADRO')))).toEqual({
      type: RejectionType.RegistryNotConfigured,
      retryable: false,
    });
  });
});
