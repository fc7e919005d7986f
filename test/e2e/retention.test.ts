/**
 * Retention and the right of access against the real stack (dev server, PostgreSQL, worker, API): a case
 * closed longer ago than the retention period loses the person's data in every table and its workflow
 * executions in Temporal, and still counts in the office's indicators; an open case and a recently closed
 * one are left alone; a second run changes nothing. The subject-access export finds everything held about
 * the person before, nothing after, and every export is in the audit trail.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createRetentionActivities } from '../../activities/retention';
import type { AuditWriter } from '../../api/audit';
import { dniFor } from '../../domain/identity';
import { ANONYMISED_NAME } from '../../domain/retention';
import { intakeRequest } from '../helpers/fixtures';
import { expectConforms } from '../helpers/openapi';
import { eventually, startStack } from '../helpers/stack';
import type { Stack, StaffSession } from '../helpers/stack';

const DAY_MS = 86_400_000;
const RETENTION_DAYS = 30;

/** A person of their own, so that nothing of theirs can be confused with another case's data. */
const unique = randomBytes(3).toString('hex');
const person = {
  firstName: `Aurèlia${unique}`,
  lastName: 'Retenció Vidal',
  documentNumber: dniFor(30_000_000 + (randomBytes(3).readUIntBE(0, 3) % 1_000_000)),
  email: `aurelia.${unique}@example.org`,
  phone: `+34 600 ${String(randomBytes(2).readUInt16BE(0) % 1000).padStart(3, '0')} 123`,
};
const partner = {
  firstName: `Bernat${unique}`,
  lastName: 'Soler Puig',
  documentNumber: dniFor(31_000_000 + (randomBytes(3).readUIntBE(0, 3) % 1_000_000)),
  birthDate: '1981-04-12',
};
const IBAN = 'ES9121000418450200051332';
const NEEDLES = [
  person.firstName,
  person.documentNumber,
  person.email,
  person.phone.replace(/\s/g, ''),
  partner.firstName,
  partner.documentNumber,
  partner.birthDate,
  IBAN,
];

describe('retention and the right of access', () => {
  let stack: Stack;
  let coordinator: StaffSession;
  let administrative: StaffSession;
  let expired: string; // closed long ago: anonymised
  let open: string; // still open: untouched
  let recent: string; // closed recently: untouched
  const now = new Date(Date.now() + (RETENTION_DAYS + 1) * DAY_MS); // the clock the anonymisation sees

  const retention = () =>
    createRetentionActivities({
      prisma: stack.db.prisma,
      temporal: { workflowService: stack.client.connection.workflowService, namespace: 'default' },
      retentionDays: RETENTION_DAYS,
      clock: () => now,
    });

  /** Rows of every table of the projection whose text holds `needle` (the audit chain's hashes aside). */
  async function tablesHolding(needle: string): Promise<string[]> {
    const tables = await stack.db.prisma.$queryRaw<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`;
    const found: string[] = [];
    for (const { table_name } of tables) {
      const [row] = await stack.db.prisma.$queryRawUnsafe<{ n: bigint }[]>(
        `SELECT count(*) AS n FROM "${table_name}" t WHERE t::text ILIKE '%' || $1 || '%'`,
        needle,
      );
      if (row && row.n > 0n) found.push(`${table_name} (${row.n})`);
    }
    return found;
  }

  const file = async (body: Parameters<typeof intakeRequest>[0]) => {
    const res = await coordinator.api.post('/applications').send(intakeRequest(body)).expect(201);
    return res.body.applicationId as string;
  };
  const registered = (id: string) =>
    eventually(
      () => stack.db.prisma.application.findUnique({ where: { id } }),
      (a) => !!a && a.state !== 'submitted' && a.state !== 'registered',
    );
  const closed = (id: string) =>
    eventually(
      () => stack.db.prisma.application.findUnique({ where: { id } }),
      (a) => !!a?.closedAt,
    );
  const exportOf = async (documentNumber: string) => {
    const res = await coordinator.api.post('/subject-access-requests').send({ documentNumber });
    expectConforms(res);
    expect(res.status).toBe(200);
    return res.body as {
      cases: {
        applicationId: string;
        roles: string[];
        application: Record<string, unknown>;
        filed: Record<string, unknown> | null;
        temporal: { status: string; input?: unknown };
        [k: string]: unknown;
      }[];
    };
  };

  beforeAll(async () => {
    stack = await startStack({ payloadKeys: `k1:${randomBytes(32).toString('base64')}` });
    coordinator = await stack.as('coordinator', ['08305']);
    administrative = await stack.as('administrative', ['08305']);

    expired = await file({
      applicant: { ...person, language: 'ca' },
      household: [{ ...partner, relationship: 'partner' }],
      incomes: [{ member: 'applicant', source: 'work', monthlyAmount: 420 }],
      bankAccount: { iban: IBAN, holder: `${person.firstName} ${person.lastName}` },
    });
    open = await file({});
    recent = await file({});
    await Promise.all([expired, open, recent].map(registered));

    // Free text about the person on the timeline: an escalation and the withdrawal's reason.
    await coordinator.api
      .post(`/applications/${expired}/escalation`)
      .send({ reason: `${person.firstName} no té subministraments` })
      .expect(200);
    await coordinator.api
      .post(`/applications/${expired}/withdrawal`)
      .send({ reason: `${person.firstName} ${person.lastName} ja no ho necessita` })
      .expect(200);
    await coordinator.api
      .post(`/applications/${recent}/withdrawal`)
      .send({ reason: 'Ja no ho necessita / Ya no lo necesita' })
      .expect(200);
    await Promise.all([expired, recent].map(closed));
    // The recent case closed 25 days before the clock the anonymisation sees: within its retention.
    await stack.db.prisma.application.update({
      where: { id: recent },
      data: { closedAt: new Date(now.getTime() - 25 * DAY_MS) },
    });

    // What a longer life of the case would have left (no registries nor channels in this stack): a social
    // report, a registry consultation with its answer, a reminder to the person's email and phone.
    const db = stack.db.prisma;
    await db.professionalNote.create({
      data: {
        id: `note-${unique}`,
        applicationId: expired,
        authorId: coordinator.id,
        kind: 'assessment_report',
        text: `${person.firstName} viu amb ${partner.firstName}`,
      },
    });
    await db.registryConsultation.create({
      data: {
        requestId: `${expired}:p1:filing:PADRO`,
        applicationId: expired,
        period: 1,
        service: 'PADRO',
        product: 'RESIDENT',
        purpose: 'Prestacions socials',
        procedure: 'OGPS-URGENCY_FOOD',
        consent: 'NoOpo',
        requestedBy: coordinator.id,
        holderDocument: person.documentNumber,
        status: 'obtained',
        result: { registeredSince: '2019-01-01', holder: person.documentNumber },
        attempts: 1,
        requestedAt: new Date(),
      },
    });
    for (const [channel, recipient] of [
      ['email', person.email],
      ['sms', person.phone.replace(/\s/g, '')],
    ] as const) {
      await db.noticeDelivery.create({
        data: {
          key: `${expired}:reminder:x:${channel}:${recipient}`,
          noticeKey: `${expired}:reminder:x`,
          applicationId: expired,
          channel,
          recipient,
          status: 'failed',
          error: `550 ${recipient} rejected`,
          providerId: `<${recipient}>`,
        },
      });
    }
  });
  afterAll(async () => {
    await stack?.stop();
  });

  let indicatorsBefore: unknown;

  it('exports everything held about the person, and audits the export', async () => {
    const res = await exportOf(person.documentNumber);
    expect(res.cases.map((c) => c.applicationId)).toEqual([expired]);
    const [c] = res.cases;
    expect(c?.roles).toEqual(expect.arrayContaining(['applicant', 'registry_holder']));
    expect(c?.application.applicantName).toBe(`${person.firstName} ${person.lastName}`);
    const text = JSON.stringify(c);
    for (const needle of NEEDLES) expect(text).toContain(needle);
    for (const part of [
      'timeline',
      'registryConsultations',
      'registryConsents',
      'noticeDeliveries',
      'professionalNotes',
      'audit',
    ]) {
      expect((c?.[part] as unknown[]).length).toBeGreaterThan(0);
    }
    // From Temporal: the application as filed (decrypted), with the contact details only it holds.
    expect(c?.temporal.status).toBe('COMPLETED');
    expect(JSON.stringify(c?.temporal.input)).toContain(person.email);

    // The partner, as a household member: the same case, flagged as holding other people's data.
    const theirs = await exportOf(partner.documentNumber);
    expect(theirs.cases.map((x) => [x.applicationId, x.roles])).toEqual([[expired, ['household_member']]]);
    expect(theirs.cases[0]?.includesOtherPeople).toBe(true);

    // Nobody: an empty export. Not a coordinator: refused.
    expect((await exportOf(dniFor(12_345))).cases).toEqual([]);
    const refused = await administrative.api
      .post('/subject-access-requests')
      .send({ documentNumber: person.documentNumber });
    expect(refused.status).toBe(403);
    // Not a document number: 400, naming the field.
    const bad = await coordinator.api.post('/subject-access-requests').send({ documentNumber: '12345678A' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('body.documentNumber');

    await (stack.app.locals.audit as AuditWriter).flush();
    const audited = await stack.db.prisma.auditEntry.findMany({
      where: { action: 'export_personal_data' },
      orderBy: { id: 'asc' },
    });
    // Each export (five requests, one refused, one invalid) and each case exported (two).
    expect(audited.filter((a) => a.applicationId === null).map((a) => a.status)).toEqual([
      200, 200, 200, 403, 400,
    ]);
    expect(audited.filter((a) => a.applicationId === expired)).toHaveLength(2);
    expect(audited.every((a) => a.path === '/subject-access-requests')).toBe(true);
    // The trail never names the person (it is append-only and outlives the retention period).
    const trail = JSON.stringify(audited.map((a) => [a.action, a.path, a.applicationId, a.staffId]));
    for (const needle of NEEDLES) expect(trail).not.toContain(needle);
  });

  it('anonymises the case closed before the retention period, everywhere, and keeps its indicators', async () => {
    const indicators = await coordinator.api.get('/indicators?municipality=08305').expect(200);
    indicatorsBefore = indicators.body.rows;
    for (const needle of NEEDLES) expect(await tablesHolding(needle)).not.toEqual([]);

    const result = await retention().anonymiseDueCases({ batchSize: 10 });
    expect(result).toEqual({
      anonymised: 1,
      moreDue: false,
      nextDueAt: new Date(now.getTime() - 25 * DAY_MS + RETENTION_DAYS * DAY_MS).toISOString(),
    });

    // Not a trace of the person in any table.
    for (const needle of NEEDLES) expect([needle, await tablesHolding(needle)]).toEqual([needle, []]);
    const db = stack.db.prisma;
    const row = await db.application.findUniqueOrThrow({ where: { id: expired } });
    expect(row.anonymisedAt?.toISOString()).toBe(now.toISOString());
    expect(row.applicantName).toBe(ANONYMISED_NAME);
    expect(await db.applicationIntake.count({ where: { applicationId: expired } })).toBe(0);
    expect(await db.professionalNote.count({ where: { applicationId: expired } })).toBe(0);
    expect(await db.registryConsent.count({ where: { applicationId: expired } })).toBe(0);
    // What the indicators count stays: the steps, the consultation, the deliveries by channel and status.
    const events = await db.applicationEvent.findMany({ where: { applicationId: expired } });
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['registered', 'withdrawn', 'escalated']),
    );
    expect(
      await db.registryConsultation.count({ where: { applicationId: expired, status: 'obtained' } }),
    ).toBe(1);
    const deliveries = await db.noticeDelivery.findMany({ where: { applicationId: expired } });
    expect(deliveries.map((d) => [d.channel, d.status]).sort()).toEqual([
      ['email', 'failed'],
      ['sms', 'failed'],
    ]);
    const indicators2 = await coordinator.api.get('/indicators?municipality=08305').expect(200);
    expect(indicators2.body.rows).toEqual(indicatorsBefore);

    // Its workflow executions are gone from Temporal (the server deletes asynchronously: about 30 s after
    // the request on the dev server).
    await eventually(
      () =>
        stack.client.workflow
          .getHandle(expired)
          .describe()
          .then(
            () => 'still there',
            (err: unknown) => (err instanceof WorkflowNotFoundError ? 'gone' : String(err)),
          ),
      (s) => s === 'gone',
      90_000,
    );

    // The export no longer finds the person.
    expect((await exportOf(person.documentNumber)).cases).toEqual([]);
    expect((await exportOf(partner.documentNumber)).cases).toEqual([]);
    // Staff lists show the case, anonymised.
    const list = await coordinator.api.get('/applications?municipality=08305&limit=100').expect(200);
    expect(list.body.items.find((i: { applicationId: string }) => i.applicationId === expired)).toMatchObject(
      { applicantName: ANONYMISED_NAME, state: 'withdrawn' },
    );
  });

  it('leaves an open case and a recently closed one as they were', async () => {
    const db = stack.db.prisma;
    for (const id of [open, recent]) {
      const row = await db.application.findUniqueOrThrow({ where: { id } });
      expect(row.anonymisedAt).toBeNull();
      expect(row.applicantName).not.toBe(ANONYMISED_NAME);
      expect(await db.applicationIntake.count({ where: { applicationId: id } })).toBe(1);
      await stack.client.workflow.getHandle(id).describe(); // still in Temporal
      const exported = await exportOf(row.applicantDocument);
      expect(exported.cases.map((c) => c.applicationId)).toContain(id);
    }
  });

  it('changes nothing when run again', async () => {
    const before = await stack.db.prisma.application.findMany({ orderBy: { id: 'asc' } });
    const result = await retention().anonymiseDueCases({ batchSize: 10 });
    expect(result.anonymised).toBe(0);
    expect(await stack.db.prisma.application.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
  });
});
