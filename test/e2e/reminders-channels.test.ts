/**
 * Reminders through real channels: the lifecycle workflow with its real activities (PostgreSQL, email over
 * SMTP, SMS over HTTP) in the time-skipping server, the SMTP capture and SMS gateway simulator processes,
 * and the API receiving the gateway's delivery receipts. Mail arrives once, even when the send is retried.
 */
import type { Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { createProjectionActivities } from '../../activities/projection';
import { createReminderActivities } from '../../activities/reminders';
import type { ReminderInput } from '../../activities/reminders';
import { createApp } from '../../api/app';
import { officeDateOf, plusDays } from '../../domain/dates';
import { createMailer } from '../../adapters/channels/mail';
import type { Mailer } from '../../adapters/channels/mail';
import { createSmsGateway } from '../../adapters/channels/sms';
import { createLogger } from '../../adapters/logger';
import { upsertStaffMember } from '../../adapters/db/staff';
import { loadReferenceData } from '../../adapters/reference-data';
import { freePort } from '../../scripts/dev/ports';
import { startSimulator } from '../../scripts/dev/simulator';
import type { RunningSimulator } from '../../scripts/dev/simulator';
import type { applicationWorkflow } from '../../workflows/application';
import { createTestDatabase } from '../helpers/db';
import type { TestDatabase } from '../helpers/db';
import { applicationInput } from '../helpers/fixtures';
import { finish, reach } from '../helpers/lifecycle';
import { FAMILY, caseInput } from '../../scripts/dev/case-fakes';
import { eventually } from '../helpers/stack';
import { bundleWorkflows, createTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';

const SECRET = 'receipts-secret-for-tests-0123456789';

interface Captured {
  to: string[];
  subject: string;
  text: string;
  messageId: string;
}

describe('reminders through email and SMS', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let db: TestDatabase;
  let smtp: RunningSimulator;
  let sms: RunningSimulator;
  let api: Server;
  let mailer: Mailer;
  let seq = 0;
  const reference = loadReferenceData();

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    const apiPort = await freePort();
    [env, db, smtp, sms] = await Promise.all([
      createTimeSkippingEnv(),
      createTestDatabase(),
      startSimulator({ kind: 'smtp' }),
      startSimulator({
        kind: 'sms',
        env: {
          SMS_RECEIPT_URL: `http://127.0.0.1:${apiPort}/webhooks/sms/receipts`,
          SMS_WEBHOOK_SECRET: SECRET,
        },
      }),
    ]);
    mailer = createMailer({ url: smtp.url, from: 'OGPS Sabadell <ogps@sabadell.example>' });
    const app = createApp({
      temporal: env.client,
      prisma: db.prisma,
      logger: createLogger('silent', 'test'),
      reference,
      taskQueue: 'unused',
      smsWebhookSecret: SECRET,
    });
    api = app.listen(apiPort, '127.0.0.1');
    await once(api, 'listening');
  });
  afterAll(async () => {
    mailer?.close();
    api?.close();
    await Promise.all([env?.teardown(), smtp?.stop(), sms?.stop(), db?.drop()]);
  });

  const channels = () => ({ mail: mailer, sms: createSmsGateway({ baseUrl: sms.url }) });

  async function mailTo(address: string): Promise<Captured[]> {
    const res = await fetch(`${smtp.adminUrl}/messages?to=${encodeURIComponent(address)}`);
    return (await res.json()) as Captured[];
  }
  async function smsTo(number: string): Promise<{ text: string; reference: string }[]> {
    const res = await fetch(`${sms.url}/admin/messages?to=${encodeURIComponent(number)}`);
    return (await res.json()) as { text: string; reference: string }[];
  }
  const put = (url: string, body: unknown) =>
    fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('sends the remedy reminders once by email and SMS, the first after the mail server refused it', async () => {
    const taskQueue = uniqueTaskQueue();
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createActivities({ prisma: db.prisma, reference: () => reference, channels: channels() }),
    });
    const id = `08187-2026-${String(800000 + ++seq)}`;
    const email = `persona-${seq}@example.org`;
    const phone = `+3460000${String(seq).padStart(4, '0')}`;
    await put(`${smtp.adminUrl}/faults`, { rejectNext: 1 });
    await worker.runUntil(async () => {
      const input = await caseInput(env, id, 'URGENCY_FOOD', FAMILY, []);
      const handle = await env.client.workflow.start<typeof applicationWorkflow>('applicationWorkflow', {
        taskQueue,
        workflowId: id,
        args: [{ ...input, applicant: { ...input.applicant, email, phone, language: 'es' } }],
      });
      try {
        const waiting = await reach(env, handle, 'awaiting_documents');
        const due = waiting.deadlines.find((d) => d.kind === 'document_request')!.dueDate;
        const now = (await env.currentTimeMs()).valueOf();
        await env.sleep(Date.parse(`${plusDays(due, 1)}T12:00:00Z`) - now);
        const mails = await eventually(
          () => mailTo(email),
          (m) => m.length >= 2,
        );
        expect(mails).toHaveLength(2);
        expect(new Set(mails.map((m) => m.messageId)).size).toBe(2);
        for (const m of mails) {
          expect(m.subject).toContain(`Expediente ${id}`);
          expect(m.text).toContain('39/2015, art. 68.1');
          // Nothing personal beyond the case number: no name, no document number.
          expect(m.text).not.toContain(input.applicant.documentNumber);
          expect(m.text).not.toContain(input.applicant.lastName);
        }
        expect(await smsTo(phone)).toHaveLength(2);

        const deliveries = await eventually(
          () =>
            db.prisma.noticeDelivery.findMany({
              where: { applicationId: id },
              orderBy: { createdAt: 'asc' },
            }),
          // The SMS receipts come back through the API.
          (rows) => rows.filter((r) => r.channel === 'sms' && r.status === 'delivered').length === 2,
        );
        expect(deliveries.map((r) => [r.channel, r.status])).toEqual(
          expect.arrayContaining([
            ['email', 'sent'],
            ['email', 'sent'],
            ['sms', 'delivered'],
            ['sms', 'delivered'],
          ]),
        );
        // The refused first attempt was retried by Temporal; the row kept one message.
        expect(Math.max(...deliveries.filter((r) => r.channel === 'email').map((r) => r.attempts))).toBe(2);
        const timeline = await db.prisma.applicationEvent.findMany({
          where: { applicationId: id, type: 'reminder_sent' },
        });
        expect(timeline).toHaveLength(2);
      } finally {
        await finish(handle).catch(() => undefined);
      }
    });
  });

  it('never sends twice for one key, however often the activity runs', async () => {
    const id = `08305-2026-${String(810000 + ++seq)}`;
    await createProjectionActivities({ prisma: db.prisma }).recordApplication({
      ...applicationInput(id),
      eventKey: `${id}:registered`,
      registeredAt: new Date().toISOString(),
    });
    const email = `repetida-${seq}@example.org`;
    const reminders = createReminderActivities({ prisma: db.prisma, channels: channels() });
    const input: ReminderInput = {
      key: `${id}:reminder:justification:2026-06-30:citizen:3`,
      applicationId: id,
      municipalityCode: '08305',
      benefitCode: 'URGENCY_FOOD',
      deadline: 'justification',
      dueDate: '2026-06-30',
      audience: 'citizen',
      businessDaysBefore: 3,
      language: 'ca',
      legalBasis: [{ law: 'Llei 38/2003', article: '30' }],
      citizen: { email },
    };
    expect(await reminders.sendReminder(input)).toMatchObject({ sent: 1 });
    expect(await reminders.sendReminder(input)).toMatchObject({ sent: 0, alreadySent: 1 });
    expect(await reminders.sendReminder(input)).toMatchObject({ sent: 0, alreadySent: 1 });
    const mails = await mailTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`Expedient ${id}: data límit 30/06/2026`);
    expect(
      await db.prisma.applicationEvent.count({ where: { applicationId: id, type: 'reminder_sent' } }),
    ).toBe(1);
  });

  it('records an undeliverable SMS as failed, and refuses receipts without the secret', async () => {
    const id = `08305-2026-${String(820000 + ++seq)}`;
    await createProjectionActivities({ prisma: db.prisma }).recordApplication({
      ...applicationInput(id),
      eventKey: `${id}:registered`,
      registeredAt: new Date().toISOString(),
    });
    const phone = '+34600999888';
    await put(`${sms.url}/admin/faults`, { undeliverable: [phone] });
    try {
      const reminders = createReminderActivities({ prisma: db.prisma, channels: channels() });
      await reminders.sendNotificationAlert({
        key: `${id}:alert`,
        applicationId: id,
        language: 'ca',
        acceptBy: officeDateOf(new Date()),
        phone,
      });
      const row = await eventually(
        () => db.prisma.noticeDelivery.findFirstOrThrow({ where: { applicationId: id, channel: 'sms' } }),
        (r) => r.status !== 'sent',
      );
      expect(row).toMatchObject({ status: 'failed', error: expect.stringContaining('operatiu') });
    } finally {
      await fetch(`${sms.url}/admin/faults`, { method: 'DELETE' });
    }
    const { port } = api.address() as AddressInfo;
    const forged = await fetch(`http://127.0.0.1:${port}/webhooks/sms/receipts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-secret': 'wrong' },
      body: JSON.stringify({ id: 'x', reference: 'y', status: 'delivered', at: new Date().toISOString() }),
    });
    expect(forged.status).toBe(401);
  });

  it("emails an escalation to the municipality's coordinators and the case's assignee", async () => {
    const id = `08305-2026-${String(830000 + ++seq)}`;
    await createProjectionActivities({ prisma: db.prisma }).recordApplication({
      ...applicationInput(id),
      eventKey: `${id}:registered`,
      registeredAt: new Date().toISOString(),
    });
    await upsertStaffMember(db.prisma, {
      id: `coord-${seq}`,
      name: 'Carla',
      role: 'coordinator',
      municipalities: ['08305'],
      email: `coord-${seq}@ajuntament.example`,
    });
    await upsertStaffMember(db.prisma, {
      id: `sw-${seq}`,
      name: 'Sergi',
      role: 'social_worker',
      municipalities: ['08305'],
      email: `sw-${seq}@ajuntament.example`,
    });
    const reminders = createReminderActivities({ prisma: db.prisma, channels: channels() });
    const input = {
      key: `${id}:escalation:1`,
      applicationId: id,
      municipalityCode: '08305',
      assignee: `sw-${seq}`,
      by: 'admin-1',
      reason: 'La família no té subministraments',
    };
    expect(await reminders.sendEscalation(input)).toMatchObject({ sent: 2 });
    expect(await reminders.sendEscalation(input)).toMatchObject({ sent: 0, alreadySent: 2 });
    for (const to of [`coord-${seq}@ajuntament.example`, `sw-${seq}@ajuntament.example`]) {
      const mails = await mailTo(to);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toBe(`[Escalat / Escalado] Expedient ${id}`);
      expect(mails[0]!.text).toContain('La família no té subministraments');
    }
  });
});
