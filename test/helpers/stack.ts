/**
 * The whole stack in one test process, against the real servers of the global setup: a Temporal client and
 * worker on the dev server, real activities on a fresh PostgreSQL database, and the Express app.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Worker } from '@temporalio/worker';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { createLogger } from '../../infra/logger';
import { loadReferenceData } from '../../infra/reference-data';
import { createWorker } from '../../worker/worker';
import { createTestDatabase } from './db';
import type { TestDatabase } from './db';
import { testEnv } from './env';
import { bundleWorkflows, uniqueTaskQueue } from './temporal';

export interface Stack {
  app: Express;
  db: TestDatabase;
  client: Client;
  taskQueue: string;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const address = testEnv('OGPS_TEST_TEMPORAL_ADDRESS');
  const reference = loadReferenceData();
  const taskQueue = uniqueTaskQueue('e2e');
  const [db, bundle, nativeConnection, connection] = await Promise.all([
    createTestDatabase(),
    bundleWorkflows(),
    NativeConnection.connect({ address }),
    Connection.connect({ address }),
  ]);
  const client = new Client({ connection, namespace: 'default' });
  const worker: Worker = await createWorker({
    config: {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: 'default',
      TASK_QUEUE: taskQueue,
      WORKER_MAX_CACHED_WORKFLOWS: 100,
      WORKER_MAX_CONCURRENT_ACTIVITIES: 20,
    },
    deps: { prisma: db.prisma, reference: () => reference },
    connection: nativeConnection,
    workflowBundle: bundle,
  });
  const running = worker.run();
  const app = createApp({
    temporal: client,
    prisma: db.prisma,
    logger: createLogger('silent', 'test'),
    reference,
    taskQueue,
  });
  return {
    app,
    db,
    client,
    taskQueue,
    stop: async () => {
      worker.shutdown();
      await running;
      await Promise.all([nativeConnection.close(), connection.close()]);
      await db.drop();
    },
  };
}

/** Polls until `probe` returns a value that passes `done`, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not reached in ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
