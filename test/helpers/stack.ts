/**
 * The whole stack in one test process, against the real servers of the global setup: a Temporal client and
 * worker on the dev server, real activities on a fresh PostgreSQL database, and the Express app.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Worker } from '@temporalio/worker';
import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { StaffRole } from '../../domain/access';
import { MUNICIPALITY_CODES } from '../../domain/municipalities';
import type { MunicipalityCode } from '../../domain/municipalities';
import type { PrismaClient } from '../../generated/prisma/client';
import { issueToken, upsertStaffMember } from '../../adapters/db/staff';
import { createApp } from '../../api/app';
import { DEFAULT_STUCK_THRESHOLDS } from '../../domain/stuck';
import { createScspClient } from '../../adapters/scsp/client';
import { startSimulator } from '../../scripts/dev/simulator';
import type { RunningSimulator } from '../../scripts/dev/simulator';
import type { AppDeps } from '../../api/app';
import type { ScspDeps } from '../../activities/registries';
import { createLogger } from '../../adapters/logger';
import { loadReferenceData } from '../../adapters/reference-data';
import { dataConverterFor } from '../../adapters/payload-codec';
import { drainableRetries } from '../../adapters/temporal/retries';
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
  /** The API as a coordinator of every municipality (`as` for anyone else). */
  api: TestAgent;
  /** A staff member with a token, and the API as them. */
  as(role: StaffRole, municipalities?: readonly MunicipalityCode[], id?: string): Promise<StaffSession>;
  /** Another API over the same Temporal, database and worker, with some of its dependencies replaced. */
  appWith(overrides: Partial<AppDeps>): Express;
  stop(): Promise<void>;
}

export interface StaffSession {
  id: string;
  token: string;
  api: TestAgent;
}

let staffSeq = 0;

/** Creates a staff member with a token in `prisma`'s database. */
export async function createStaff(
  prisma: PrismaClient,
  role: StaffRole,
  municipalities: readonly MunicipalityCode[] = MUNICIPALITY_CODES,
  id = `${role.replace('_', '-')}-${++staffSeq}-${process.pid}`,
): Promise<{ id: string; token: string }> {
  await upsertStaffMember(prisma, { id, name: `Test ${role} ${id}`, role, municipalities });
  return { id, token: await issueToken(prisma, id, { label: 'test' }) };
}

export function agentFor(app: Express, token: string): TestAgent {
  return request.agent(app).set('authorization', `Bearer ${token}`);
}

export interface StackOptions {
  /** Registry connectors for the worker (the simulator); none: nothing is consulted. */
  scsp?: ScspDeps;
  /** Options for the app, such as the stuck thresholds. */
  app?: Partial<AppDeps>;
  /** PAYLOAD_ENCRYPTION_KEYS for the API's client and the worker; none: payloads in plaintext. */
  payloadKeys?: string;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const address = testEnv('OGPS_TEST_TEMPORAL_ADDRESS');
  const reference = loadReferenceData();
  const taskQueue = uniqueTaskQueue('e2e');
  // Drained before the connection closes (adapters/temporal/retries.ts).
  const retries = drainableRetries();
  const [db, bundle, nativeConnection, connection] = await Promise.all([
    createTestDatabase(),
    bundleWorkflows(),
    NativeConnection.connect({ address }),
    Connection.connect({ address, interceptors: [retries.interceptor] }),
  ]);
  const dataConverter = dataConverterFor(opts.payloadKeys);
  const client = new Client({
    connection,
    namespace: 'default',
    ...(dataConverter ? { dataConverter } : {}),
  });
  const worker: Worker = await createWorker({
    config: {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: 'default',
      TASK_QUEUE: taskQueue,
      WORKER_MAX_CACHED_WORKFLOWS: 100,
      WORKER_MAX_CONCURRENT_ACTIVITIES: 20,
      PAYLOAD_ENCRYPTION_KEYS: opts.payloadKeys,
    },
    deps: { prisma: db.prisma, reference: () => reference, scsp: opts.scsp },
    connection: nativeConnection,
    workflowBundle: bundle,
  });
  const running = worker.run();
  const appWith = (overrides: Partial<AppDeps>) =>
    createApp({
      temporal: client,
      prisma: db.prisma,
      logger: createLogger('silent', 'test'),
      reference,
      taskQueue,
      payloadCodec: dataConverter?.payloadCodecs[0],
      ...opts.app,
      ...overrides,
    });
  const app = appWith({});
  const as = async (role: StaffRole, municipalities?: readonly MunicipalityCode[], id?: string) => {
    const staff = await createStaff(db.prisma, role, municipalities, id);
    return { ...staff, api: agentFor(app, staff.token) };
  };
  const coordinator = await as('coordinator');
  return {
    app,
    db,
    client,
    taskQueue,
    api: coordinator.api,
    as,
    appWith,
    stop: async () => {
      worker.shutdown();
      await running;
      await retries.drain();
      await Promise.all([nativeConnection.close(), connection.close()]);
      await db.drop();
    },
  };
}

/**
 * A worker of the project's own on `taskQueue`, with real activities on `prisma` and no registries, beside a
 * stack's (a case on a queue of its own, a worker with other keys); the result stops it.
 */
export async function runWorker(
  taskQueue: string,
  prisma: PrismaClient,
  payloadKeys?: string,
): Promise<() => Promise<void>> {
  const address = testEnv('OGPS_TEST_TEMPORAL_ADDRESS');
  const native = await NativeConnection.connect({ address });
  const reference = loadReferenceData();
  const worker = await createWorker({
    config: {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: 'default',
      TASK_QUEUE: taskQueue,
      WORKER_MAX_CACHED_WORKFLOWS: 10,
      WORKER_MAX_CONCURRENT_ACTIVITIES: 10,
      PAYLOAD_ENCRYPTION_KEYS: payloadKeys,
    },
    deps: { prisma, reference: () => reference, scsp: undefined },
    connection: native,
    workflowBundle: await bundleWorkflows(),
  });
  const running = worker.run();
  return async () => {
    worker.shutdown();
    await running;
    await native.close();
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

export interface StackWithRegistries extends Stack {
  /** The registry simulator the worker consults. */
  registries: RunningSimulator;
  /** Switches a registry service off (until `registriesBack`). */
  registryDown(service: string): Promise<void>;
  registriesBack(): Promise<void>;
}

/**
 * The stack whose worker consults the registry simulator process, with the coordinators' stuck rules
 * reporting a registry as soon as it is unavailable (threshold 0 hours), for tests that need a case blocked
 * on one. `stop` stops the simulator too.
 */
export async function startStackWithRegistries(): Promise<StackWithRegistries> {
  const registries = await startSimulator();
  const client = createScspClient({ baseUrl: registries.url, timeoutMs: 3000 });
  const stack = await startStack({
    scsp: { client, officialNif: '11111111H' },
    app: { stuckThresholds: { ...DEFAULT_STUCK_THRESHOLDS, registryUnavailableHours: 0 } },
  });
  const faults = (method: 'PUT' | 'DELETE', body?: unknown) =>
    fetch(`${registries.url}/admin/faults`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  return {
    ...stack,
    registries,
    registryDown: async (service) => {
      await faults('PUT', { service, outage: true });
    },
    registriesBack: async () => {
      await faults('DELETE');
    },
    stop: async () => {
      await faults('DELETE').catch(() => undefined);
      await stack.stop();
      await client.close();
      await registries.stop();
    },
  };
}
