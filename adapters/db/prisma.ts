import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../../generated/prisma/client';

/**
 * The connection pool behind Prisma. PostgreSQL ending a connection (a restart, an administrator's terminate)
 * reaches its client as an 'error' event; the pool listens only while the client is idle and the adapter
 * only inside a transaction, and an event in between, with no listener, crashes the whole process (seen:
 * the worker, when a fault test restarted PostgreSQL). So every client listens for its whole life: the
 * connection is dropped by the pool as before, and the statement that needed it fails and is retried as any
 * other failure of the database.
 */
export function createPool(databaseUrl: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl });
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

export function createPrisma(databaseUrl: string): PrismaClient {
  // The adapter ends the pool when Prisma disconnects, as it did the pool it used to create itself.
  return new PrismaClient({
    adapter: new PrismaPg(createPool(databaseUrl), { disposeExternalPool: true }),
  });
}

export type { PrismaClient };
