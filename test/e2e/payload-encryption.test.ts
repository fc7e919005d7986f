/**
 * Personal data never reaches Temporal in plaintext: with PAYLOAD_ENCRYPTION_KEYS set, a case filed through
 * the API and run by the real worker leaves a history whose raw bytes hold none of the person's name,
 * document numbers, income, bank account or email, while staff still read them through the API. Keys rotate:
 * a case started under the old key keeps running under a worker that encrypts with the new one.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import request from 'supertest';
import { dniFor } from '../../domain/identity';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  PayloadKeyError,
  dataConverterFor,
  parsePayloadKeys,
} from '../../adapters/payload-codec';
import { statusQuery, submitDocumentsUpdate } from '../../workflows/messages';
import { createTestDatabase } from '../helpers/db';
import { testEnv } from '../helpers/env';
import { applicationInput, intakeRequest } from '../helpers/fixtures';
import { eventually, runWorker, startStack } from '../helpers/stack';
import type { Stack } from '../helpers/stack';
import { expectConforms } from '../helpers/openapi';
import { uniqueTaskQueue } from '../helpers/temporal';

const key = () => randomBytes(32).toString('base64');
const OLD = `2026-01:${key()}`;
const NEW = `2026-11:${key()}`;

/** What the person told the office, each distinctive enough to be found in raw bytes. */
const person = {
  firstName: 'Eulàlia',
  lastName: 'Xirinacs Bonaventura',
  email: 'eulalia.xirinacs@example.org',
  iban: 'ES9121000418450200051332',
  memberName: 'Oriol Xirinacs',
  income: 987.65,
};

function filing(n: number) {
  const base = intakeRequest();
  return {
    ...base,
    applicant: {
      ...base.applicant,
      firstName: person.firstName,
      lastName: person.lastName,
      email: person.email,
      documentNumber: dniFor(31_000_000 + n),
    },
    household: [{ firstName: person.memberName, birthDate: '2015-05-01', relationship: 'child' as const }],
    incomes: [{ member: 'applicant' as const, source: 'work' as const, monthlyAmount: person.income }],
    bankAccount: { iban: person.iban, holder: `${person.firstName} ${person.lastName}` },
  };
}

/** The history's raw bytes, as Temporal stores and serves them (read without any codec). */
async function rawHistory(workflowId: string): Promise<Buffer> {
  const connection = await Connection.connect({ address: testEnv('OGPS_TEST_TEMPORAL_ADDRESS') });
  try {
    const history = await new Client({ connection, namespace: 'default' }).workflow
      .getHandle(workflowId)
      .fetchHistory();
    return Buffer.from(temporal.api.history.v1.History.encode(history).finish());
  } finally {
    await connection.close();
  }
}

function plaintextFound(raw: Buffer, documentNumber: string): string[] {
  return [
    person.firstName,
    person.lastName,
    person.email,
    person.iban,
    person.memberName,
    String(person.income),
    documentNumber,
  ].filter((s) => raw.includes(Buffer.from(s)));
}

describe('payload encryption', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  async function fileAndWait(s: Stack, n: number): Promise<{ id: string; documentNumber: string }> {
    const body = filing(n);
    const res = await s.api.post('/applications').send(body).expect(201);
    const id = (res.body as { applicationId: string }).applicationId;
    await eventually(
      () => s.db.prisma.application.findUnique({ where: { id } }),
      (row) => row?.state === 'awaiting_documents',
      60_000,
    );
    return { id, documentNumber: body.applicant.documentNumber };
  }

  it('keeps names, document numbers, income, bank account and email out of the history', async () => {
    stack = await startStack({ payloadKeys: `${NEW},${OLD}` });
    const { id, documentNumber } = await fileAndWait(stack, 1);
    const raw = await rawHistory(id);
    expect(plaintextFound(raw, documentNumber)).toEqual([]);
    // Encrypted, not absent: the workflow's input is there, sealed under the newest key.
    const history = await stack.client.workflow.getHandle(id).fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(new TextDecoder().decode(input?.metadata?.encoding ?? new Uint8Array())).toBe(ENCRYPTED_ENCODING);
    expect(new TextDecoder().decode(input?.metadata?.['encryption-key-id'] ?? new Uint8Array())).toBe(
      '2026-11',
    );
    // Those holding the keys read it: the API answers from the workflow's (encrypted) query result, and
    // the input opens with the configured keys.
    // The Temporal UI's codec endpoint opens it for office-wide staff only, and says so to anyone else.
    const sealed = {
      metadata: Object.fromEntries(
        Object.entries(input?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(input?.data ?? new Uint8Array()).toString('base64'),
    };
    const decoded = await stack.api
      .post('/codec/decode')
      .send({ payloads: [sealed] })
      .expect(200);
    expectConforms(decoded);
    const [plain] = (decoded.body as { payloads: { data: string }[] }).payloads;
    expect(Buffer.from(plain?.data ?? '', 'base64').toString()).toContain(person.lastName);
    const local = await stack.as('coordinator', ['08305']);
    expectConforms(
      await local.api
        .post('/codec/decode')
        .send({ payloads: [sealed] })
        .expect(403),
    );
    const clerk = await stack.as('administrative');
    expectConforms(
      await clerk.api
        .post('/codec/decode')
        .send({ payloads: [sealed] })
        .expect(403),
    );
    expectConforms(
      await request(stack.app)
        .post('/codec/decode')
        .send({ payloads: [sealed] })
        .expect(401),
    );
    const altered = { ...sealed, data: Buffer.from('not what was sealed').toString('base64') };
    expectConforms(
      await stack.api
        .post('/codec/decode')
        .send({ payloads: [altered] })
        .expect(400),
    );
    const read = await stack.api.get(`/applications/${id}`).expect(200);
    expect(read.body).toMatchObject({ applicationId: id, state: 'awaiting_documents' });
    const [opened] = await new AesGcmPayloadCodec(parsePayloadKeys(`${NEW},${OLD}`)).decode(
      input ? [input] : [],
    );
    expect(new TextDecoder().decode(opened?.data ?? new Uint8Array())).toContain(person.lastName);
  });

  it('finds the same data in plaintext when no key is configured (the check above can fail)', async () => {
    stack = await startStack();
    const { id, documentNumber } = await fileAndWait(stack, 2);
    expect(plaintextFound(await rawHistory(id), documentNumber)).toEqual(
      expect.arrayContaining([person.lastName, documentNumber, person.iban]),
    );
  });

  it('rotates keys: a case started under the old key goes on under a worker that encrypts with the new one', async () => {
    const address = testEnv('OGPS_TEST_TEMPORAL_ADDRESS');
    const db = await createTestDatabase();
    const taskQueue = uniqueTaskQueue('rotation');
    const connection = await Connection.connect({ address });
    const clientWith = (keys: string) =>
      new Client({ connection, namespace: 'default', dataConverter: dataConverterFor(keys)! });
    const id = `08305-2026-${String(Date.now()).slice(-6)}`;
    const keyIds = async (): Promise<string[]> =>
      ((await clientWith(OLD).workflow.getHandle(id).fetchHistory()).events ?? []).flatMap((e) =>
        [
          ...(e.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
          ...(e.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
        ].map((p) => new TextDecoder().decode(p.metadata?.['encryption-key-id'] ?? new Uint8Array())),
      );
    let stopWorker = await runWorker(taskQueue, db.prisma, OLD);
    try {
      const before = clientWith(OLD);
      await before.workflow.start('applicationWorkflow', {
        workflowId: id,
        taskQueue,
        args: [applicationInput(id)],
      });
      const waiting = await eventually(
        () => before.workflow.getHandle(id).query(statusQuery),
        (s) => s.state === 'awaiting_documents',
        60_000,
      );
      await stopWorker();
      // Rotation: the new key first, the old one kept for what was written under it.
      stopWorker = await runWorker(taskQueue, db.prisma, `${NEW},${OLD}`);
      const after = clientWith(`${NEW},${OLD}`);
      await after.workflow.getHandle(id).executeUpdate(submitDocumentsUpdate, {
        args: [{ actor: 'staff-1', documents: waiting.documentRequest!.documents.map((d) => d.code) }],
      });
      await eventually(
        () => after.workflow.getHandle(id).query(statusQuery),
        (s) => s.state === 'assessment',
        60_000,
      );
      const ids = await keyIds();
      expect(ids[0]).toBe('2026-01'); // the input, written before the rotation
      expect(ids.at(-1)).toBe('2026-11'); // the steps after it
      expect(ids.every((k) => k === '2026-01' || k === '2026-11')).toBe(true);
      // A party holding only the new key cannot read what the old one sealed.
      const onlyNew = new AesGcmPayloadCodec(parsePayloadKeys(NEW));
      const started = (await after.workflow.getHandle(id).fetchHistory()).events?.[0];
      await expect(
        onlyNew.decode(started?.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
      ).rejects.toThrow(PayloadKeyError);
    } finally {
      await clientWith(OLD)
        .workflow.getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
      await stopWorker();
      await connection.close();
      await db.drop();
    }
  });
});
