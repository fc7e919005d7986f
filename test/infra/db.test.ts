/**
 * PostgreSQL ending a connection that the process holds between statements (a restart, an administrator's
 * terminate) must not crash the process (adapters/db/prisma.ts createPool): it did crash the worker once, when a fault
 * test restarted PostgreSQL.
 */
import { createPool } from '../../adapters/db/prisma';
import { createTestDatabase } from '../helpers/db';
import type { TestDatabase } from '../helpers/db';

describe('the database connection pool', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('survives PostgreSQL ending a connection held between statements, and goes on with a new one', async () => {
    const pool = createPool(db.url);
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const pid = rows[0]?.pid;
      expect(pid).toBeGreaterThan(0);
      // Ended from another connection, with no statement of the client running: the client hears of it as
      // an 'error' event, which crashed the process where nothing listened.
      const ended = await db.prisma.$queryRaw<
        { ended: boolean }[]
      >`SELECT pg_terminate_backend(${pid}::int) AS ended`;
      expect(ended[0]?.ended).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
      // The statement that needed that connection fails, as any failure of the database does.
      await expect(client.query('SELECT 1')).rejects.toThrow();
      client.release(true);
      const again = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(again.rows[0]?.one).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
