/**
 * The system as it runs in production, for benchmarks: a Temporal dev server (SQLite file), PostgreSQL from
 * Debian's binaries, migrations, the built worker and API as their own processes, and the registry simulator
 * when asked for. Everything lives in a scratch folder under .data/bench and is stopped at the end.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createPrisma } from '../../infra/db';
import type { PrismaClient } from '../../infra/db';
import { registerSearchAttributes } from '../../infra/search-attributes';
import { issueToken, upsertStaffMember } from '../../infra/staff';
import { dniFor } from '../../domain/identity';
import { MUNICIPALITY_CODES } from '../../domain/municipalities';
import { freePort } from '../../scripts/dev/ports';
import { ensureDatabase, startLocalPostgres } from '../../scripts/dev/postgres';
import { stopChild } from '../../scripts/dev/processes';
import { runMigrator } from '../../scripts/dev/run-migrator';
import type { CpuShare } from './cpu';
import { measureCpu } from './cpu';
import { startSimulator } from '../../scripts/dev/simulator';
import { startDevServer } from '../../scripts/dev/temporal';

export const root = path.resolve(__dirname, '..', '..');

export interface BenchStackOptions {
  /** Registry simulator for the worker; without it no registry is consulted and documents are asked for. */
  registries?: boolean;
  /** Worker settings (WORKER_MAX_CACHED_WORKFLOWS, ...), and any other variable for both processes. */
  env?: Record<string, string>;
  /** Start the worker (false for benchmarks that run their own). */
  worker?: boolean;
}

export interface BenchStack {
  apiUrl: string;
  /** The registry simulator (its faults at /admin/faults), when started. */
  registryUrl?: string | undefined;
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  client: Client;
  prisma: PrismaClient;
  /** A coordinator of every municipality, as a bearer token. */
  token: string;
  worker?: ChildProcess | undefined;
  api: ChildProcess;
  dir: string;
  /** Files an application through the API for the fictional person numbered `person` (one case each). */
  file(person: number, where?: { municipalityCode?: string; benefitCode?: string }): Promise<Response>;
  /** Starts measuring the CPU of each part of the stack; call the result at the end of the phase. */
  measureCpu(extra?: Record<string, number | undefined>): () => CpuShare[];
  stop(): Promise<void>;
}

function startProcess(entry: string, env: Record<string, string>, logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  return spawn(process.execPath, [path.join(root, 'dist', entry)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', log, log],
  });
}

async function waitFor(url: string, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${url} not ready in ${timeoutMs} ms:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startBenchStack(name: string, opts: BenchStackOptions = {}): Promise<BenchStack> {
  if (!existsSync(path.join(root, 'dist', 'api', 'server.js')))
    throw new Error('run `npm run build` first (npm run bench does)');
  const dir = path.join(root, '.data', 'bench', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const temporal = await startDevServer({
      port: await freePort(),
      dbFile: path.join(dir, 'temporal.db'),
      logFile: path.join(dir, 'temporal.log'),
    });
    cleanups.push(temporal.stop);
    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    await registerSearchAttributes(connection, 'default');
    const pg = await startLocalPostgres(path.join(dir, 'postgres'));
    cleanups.push(pg.stop);
    const postmaster = Number(readFileSync(path.join(pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    await ensureDatabase(pg.baseUrl, 'ogps');
    const databaseUrl = pg.databaseUrl('ogps');
    const migrated = runMigrator(['deploy'], { ...process.env, DATABASE_URL: databaseUrl });
    if (migrated.code !== 0) throw new Error(`migrations failed:\n${migrated.out}`);
    const prisma = createPrisma(databaseUrl);
    cleanups.push(() => prisma.$disconnect());

    const env: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TASK_QUEUE: `bench-${name}`,
      PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      // A benchmark is many requests from few people: the per-person limits would measure themselves.
      RATE_LIMIT_PER_MINUTE: '100000',
      // As in production: what the API and the worker hand to Temporal is encrypted. (The benchmarks' own
      // client and workers, for no-op and probe workflows, do without.)
      PAYLOAD_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      ...opts.env,
    };
    let simulatorPid: number | undefined;
    let registryUrl: string | undefined;
    if (opts.registries) {
      const sim = await startSimulator({ port: await freePort(), logFile: path.join(dir, 'simulator.log') });
      simulatorPid = sim.pid;
      registryUrl = sim.url;
      cleanups.push(sim.stop);
      env.REGISTRY_BASE_URL = sim.url;
    }
    let worker: ChildProcess | undefined;
    if (opts.worker !== false) {
      worker = startProcess('worker/main.js', env, path.join(dir, 'worker.log'));
      cleanups.push(() => stopChild(worker!, 15_000));
    }
    const api = startProcess('api/server.js', env, path.join(dir, 'api.log'));
    cleanups.push(() => stopChild(api, 15_000));
    const apiUrl = `http://127.0.0.1:${env.PORT}`;
    await waitFor(`${apiUrl}/ready`, 60_000, path.join(dir, 'api.log'));

    await upsertStaffMember(prisma, {
      id: 'bench-coordinator',
      name: 'Bench coordinator',
      role: 'coordinator',
      municipalities: MUNICIPALITY_CODES,
    });
    const token = await issueToken(prisma, 'bench-coordinator', { label: 'bench' });
    return {
      apiUrl,
      registryUrl,
      databaseUrl,
      temporalAddress: temporal.address,
      taskQueue: env.TASK_QUEUE!,
      client: new Client({ connection, namespace: 'default' }),
      prisma,
      token,
      worker,
      api,
      dir,
      file: (person, where = {}) =>
        fetch(`${apiUrl}/applications`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({
            municipalityCode: where.municipalityCode ?? '08187',
            benefitCode: where.benefitCode ?? 'URGENCY_FOOD',
            applicant: {
              firstName: 'Persona',
              lastName: 'De Prova',
              documentNumber: dniFor(person),
              language: 'ca',
            },
          }),
        }),
      measureCpu: (extra = {}) =>
        measureCpu({
          'Temporal dev server': temporal.process.pid,
          PostgreSQL: postmaster,
          worker: worker?.pid,
          API: api.pid,
          ...(simulatorPid ? { 'registry simulator': simulatorPid } : {}),
          'benchmark client': process.pid,
          ...extra,
        }),
      stop: async () => {
        for (const c of cleanups.reverse()) await c();
      },
    };
  } catch (err) {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
    throw err;
  }
}

/** Resident memory of a process in MiB, from /proc (Linux). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 102.4) / 10;
}
