/**
 * The audit trail is append-only and tamper-evident, in PostgreSQL itself: entries written by several API
 * processes at once form one hash chain, updates and deletions are refused, and an entry edited, removed or
 * cut from the end by someone who got round the refusal (the database owner) is named by the check.
 */
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { createAuditWriter } from '../../api/audit';
import type { AuditWriter } from '../../api/audit';
import { createLogger } from '../../adapters/logger';
import { loadReferenceData } from '../../adapters/reference-data';
import { createTestDatabase } from '../helpers/db';
import type { TestDatabase } from '../helpers/db';
import { testEnv } from '../helpers/env';
import { expectConforms } from '../helpers/openapi';
import { agentFor, createStaff } from '../helpers/stack';

interface Integrity {
  intact: boolean;
  entries: number;
  head: { seq: string; hash: string };
  breaks: { chainSeq: string | null; id: string | null; problem: string }[];
}

describe('audit trail hash chain', () => {
  let db: TestDatabase;
  let connection: Connection;
  let app: Express;
  let pg: PgClient;
  const logger = createLogger('silent', 'test');

  beforeAll(async () => {
    db = await createTestDatabase();
    connection = await Connection.connect({ address: testEnv('OGPS_TEST_TEMPORAL_ADDRESS') });
    app = createApp({
      temporal: new Client({ connection, namespace: 'default' }),
      prisma: db.prisma,
      logger,
      reference: loadReferenceData(),
      taskQueue: 'audit-chain-unused',
    });
    pg = new PgClient({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await (app.locals.audit as AuditWriter | undefined)?.flush();
    await pg?.end();
    await connection?.close();
    await db?.drop();
  });

  const flush = () => (app.locals.audit as AuditWriter).flush();

  async function integrity(): Promise<Integrity> {
    const auditor = await createStaff(db.prisma, 'auditor');
    const res = await agentFor(app, auditor.token).get('/audit/integrity').expect(200);
    expectConforms(res);
    await flush(); // the check's own entry joins the chain too
    return res.body as Integrity;
  }

  /** Runs `sql` as the database's owner with the append-only guard off: what an intruder with that role could do. */
  async function tamper(sql: string, params: unknown[] = []): Promise<void> {
    await pg.query('BEGIN');
    await pg.query('ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only');
    await pg.query(sql, params);
    await pg.query('ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only');
    await pg.query('COMMIT');
  }

  it('chains the entries of concurrent requests and of two API processes writing at once', async () => {
    const coordinator = await createStaff(db.prisma, 'coordinator');
    const api = agentFor(app, coordinator.token);
    // A second API process: its own batching writer on the same database.
    const other = createAuditWriter({ prisma: db.prisma, logger, intervalMs: 1, batch: 3 });
    await Promise.all([
      ...Array.from({ length: 20 }, () => api.get('/me').expect(200)),
      ...Array.from({ length: 20 }, async (_, i) =>
        other.write({
          at: new Date(),
          staffId: coordinator.id,
          action: `other_process_${i}`,
          method: 'GET',
          path: '/me',
          status: 200,
        }),
      ),
    ]);
    await Promise.all([flush(), other.flush()]);
    const seqs = (
      await pg.query<{ chain_seq: string }>('SELECT chain_seq FROM audit_entry ORDER BY chain_seq')
    ).rows.map((r) => Number(r.chain_seq));
    expect(seqs.length).toBeGreaterThanOrEqual(40);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // one chain, no gaps, no position twice

    const report = await integrity();
    expect(report).toMatchObject({ intact: true, breaks: [], entries: seqs.length });
    expect(report.head.seq).toBe(String(seqs.length));
    expect(report.head.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to update, delete or truncate an entry', async () => {
    const codes: unknown[] = [];
    for (const sql of [
      "UPDATE audit_entry SET action = 'nothing happened' WHERE chain_seq = 1",
      'DELETE FROM audit_entry WHERE chain_seq = 1',
      'TRUNCATE audit_entry',
    ]) {
      codes.push(
        await pg.query(sql).then(
          () => 'done',
          (err: { code?: string }) => err.code,
        ),
      );
    }
    expect(codes).toEqual(['42501', '42501', '42501']); // insufficient_privilege, from the trigger
    expect((await integrity()).intact).toBe(true);
  });

  it('names an entry edited in place, an entry removed, and entries cut from the end', async () => {
    await tamper("UPDATE audit_entry SET action = 'read', staff_id = 'someone-else' WHERE chain_seq = 5");
    let report = await integrity();
    expect(report.intact).toBe(false);
    expect(report.breaks).toEqual([{ chainSeq: '5', id: expect.any(String), problem: 'altered' }]);

    await tamper('DELETE FROM audit_entry WHERE chain_seq = 8');
    report = await integrity();
    expect(report.breaks).toEqual([
      { chainSeq: '5', id: expect.any(String), problem: 'altered' },
      { chainSeq: '9', id: expect.any(String), problem: 'missing_before' },
    ]);

    // The newest entries removed: nothing inside the chain is wrong, but it no longer ends at its head.
    await tamper('DELETE FROM audit_entry WHERE chain_seq > (SELECT max(chain_seq) - 2 FROM audit_entry)');
    report = await integrity();
    expect(report.breaks.map((b) => b.problem)).toEqual(['altered', 'missing_before', 'head_mismatch']);
  });
});
