/**
 * The system as it runs in production, each part its own process: a Temporal dev server on a SQLite file
 * (for the benchmarks also the Temporal server on PostgreSQL, or one running elsewhere: `chooseTemporal`),
 * PostgreSQL from Debian's binaries, migrations, the built worker and API, and the simulators of the
 * registries and of the mail and SMS channels when asked for. Everything lives in a scratch folder under
 * .data/<name> and is stopped at the end.
 *
 * Used by the benchmarks (bench/lib/stack.ts) and by the fault tests (test/faults/), which also take parts
 * down and bring them back: `killWorker`/`startWorker`, `restartTemporal`, `stopPostgres`/`startPostgres`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createPrisma } from '../../adapters/db/prisma';
import type { PrismaClient } from '../../adapters/db/prisma';
import { registerSearchAttributes } from '../../adapters/temporal/search-attributes';
import { APPLICATION_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { issueToken, upsertStaffMember } from '../../adapters/db/staff';
import { dniFor } from '../../domain/identity';
import { MUNICIPALITY_CODES } from '../../domain/municipalities';
import { freePort } from './ports';
import { ensureDatabase, startLocalPostgres } from './postgres';
import type { LocalPostgres } from './postgres';
import { stopChild } from './processes';
import { runMigrator } from './run-migrator';
import { startSimulator } from './simulator';
import { startDevServer } from './temporal';
import { startSqlServer } from './temporal-sql';
import { TEMPORAL_LABEL, chooseTemporal } from './temporal-choice';

export const root = path.resolve(__dirname, '..', '..');

export interface SystemOptions {
  /** Registry simulator for the worker; without it no registry is consulted and documents are asked for. */
  registries?: boolean;
  /** Mail (SMTP) and SMS gateway simulators for the worker's reminders and alerts. */
  channels?: boolean;
  /** Worker and API settings (WORKER_MAX_CACHED_WORKFLOWS, ...): any variable for both processes. */
  env?: Record<string, string>;
  /** Start the worker (false for callers that run their own). */
  worker?: boolean;
}

export interface RunningSystem {
  apiUrl: string;
  /** The registry simulator (its faults at /admin/faults), when started. */
  registryUrl?: string | undefined;
  /** The SMTP simulator's HTTP side (`GET /messages`), when started. */
  mailAdminUrl?: string | undefined;
  /** The SMS gateway simulator (`GET /admin/messages`), when started. */
  smsUrl?: string | undefined;
  databaseUrl: string;
  temporalAddress: string;
  /** The Temporal namespace the cases live in. */
  namespace: string;
  taskQueue: string;
  client: Client;
  prisma: PrismaClient;
  /** A coordinator of every municipality, as a bearer token. */
  token: string;
  /** The current worker process (it changes when the worker is restarted). */
  readonly worker: ChildProcess | undefined;
  readonly api: ChildProcess;
  /** Process ids of each part, for measurements. */
  pids(): Record<string, number | undefined>;
  dir: string;
  /** Files an application through the API for the fictional person numbered `person` (one case each). */
  file(person: number, where?: { municipalityCode?: string; benefitCode?: string }): Promise<Response>;
  /** SIGKILL: the worker dies mid-task, as on a power cut or an OOM kill. */
  killWorker(): Promise<void>;
  startWorker(): void;
  /** Stops the Temporal dev server and starts it again on the same port and SQLite file. */
  /**
   * Stops the dev server and starts it again after `downForMs`: when it was stopped, and when its process was
   * started again (it may serve from then on, before it answers as ready).
   */
  restartTemporal(opts?: { downForMs?: number }): Promise<{ stoppedAt: number; restartedAt: number }>;
  /** `pg_ctl stop -m fast`: sessions are cut, as in a failover or a restart for an upgrade. */
  stopPostgres(): void;
  /** Starts PostgreSQL again on the same port. */
  startPostgres(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * OGPS_CPU_PROFILE_DIR: the worker and the API write V8 CPU profiles there (one per thread, on a clean stop),
 * to find where a benchmark's time goes (open them in Chrome's DevTools or speedscope).
 */
function profilingArgs(entry: string): string[] {
  const dir = process.env.OGPS_CPU_PROFILE_DIR;
  if (!dir) return [];
  return ['--cpu-prof', '--cpu-prof-dir', path.resolve(dir, path.dirname(entry))];
}

function startProcess(entry: string, env: Record<string, string>, logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  return spawn(process.execPath, [...profilingArgs(entry), path.join(root, 'dist', entry)], {
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

/** The Temporal server the system runs on: its address, and its process when the system started it. */
interface TemporalServer {
  address: string;
  pid?: number | undefined;
  stop: () => Promise<void> | void;
}

export async function startSystem(name: string, opts: SystemOptions = {}): Promise<RunningSystem> {
  if (!existsSync(path.join(root, 'dist', 'api', 'server.js')))
    throw new Error('run `npm run build` first (npm test and npm run bench do)');
  // A wrong setting is refused here, before anything starts.
  const temporalChoice = chooseTemporal(process.env);
  const dir = path.join(root, '.data', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const temporalPort = await freePort();
    const temporalOptions = {
      port: temporalPort,
      dbFile: path.join(dir, 'temporal.db'),
      logFile: path.join(dir, 'temporal.log'),
    };
    let pg: LocalPostgres = await startLocalPostgres(path.join(dir, 'postgres'));
    cleanups.push(() => pg.stop());
    const pgPort = Number(new URL(pg.baseUrl).port);
    const startTemporal = async (): Promise<TemporalServer> => {
      if (temporalChoice.kind === 'external') {
        // Not this system's: nothing to start or stop, and its CPU is not measured here.
        return { address: temporalChoice.address, stop: () => undefined };
      }
      const server =
        temporalChoice.kind === 'postgres'
          ? await startSqlServer({
              port: temporalPort,
              postgres: { host: '127.0.0.1', port: pgPort, user: new URL(pg.baseUrl).username },
              dir: path.join(dir, 'temporal'),
              logFile: temporalOptions.logFile,
            })
          : await startDevServer(temporalOptions);
      return { address: server.address, pid: server.process.pid, stop: server.stop };
    };
    let temporal = await startTemporal();
    cleanups.push(() => temporal.stop());
    const { namespace } = temporalChoice;
    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    await registerSearchAttributes(connection, namespace, APPLICATION_SEARCH_ATTRIBUTES);
    const postmasterPid = () =>
      Number(readFileSync(path.join(pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    await ensureDatabase(pg.baseUrl, 'ogps');
    const databaseUrl = pg.databaseUrl('ogps');
    const migrated = runMigrator(['deploy'], { ...process.env, DATABASE_URL: databaseUrl });
    if (migrated.code !== 0) throw new Error(`migrations failed:\n${migrated.out}`);
    const prisma = createPrisma(databaseUrl);
    cleanups.push(() => prisma.$disconnect());

    const port = await freePort();
    const env: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: namespace,
      TASK_QUEUE: `system-${name.replace(/[^\w-]/g, '-')}`,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      // As in production: what the API and the worker hand to Temporal is encrypted.
      PAYLOAD_ENCRYPTION_KEYS: `system:${randomBytes(32).toString('base64')}`,
      ...opts.env,
    };
    const simulatorPids: Record<string, number | undefined> = {};
    let registryUrl: string | undefined;
    if (opts.registries) {
      const sim = await startSimulator({ port: await freePort(), logFile: path.join(dir, 'simulator.log') });
      simulatorPids['registry simulator'] = sim.pid;
      registryUrl = sim.url;
      cleanups.push(sim.stop);
      env.REGISTRY_BASE_URL = sim.url;
    }
    let mailAdminUrl: string | undefined;
    let smsUrl: string | undefined;
    if (opts.channels) {
      const smtp = await startSimulator({ kind: 'smtp', logFile: path.join(dir, 'smtp-simulator.log') });
      cleanups.push(smtp.stop);
      simulatorPids['SMTP simulator'] = smtp.pid;
      env.SMTP_URL = smtp.url;
      mailAdminUrl = smtp.adminUrl;
      env.SMS_WEBHOOK_SECRET ??= randomBytes(24).toString('base64url');
      const sms = await startSimulator({
        kind: 'sms',
        logFile: path.join(dir, 'sms-simulator.log'),
        env: {
          SMS_RECEIPT_URL: `http://127.0.0.1:${port}/webhooks/sms/receipts`,
          SMS_WEBHOOK_SECRET: env.SMS_WEBHOOK_SECRET,
        },
      });
      cleanups.push(sms.stop);
      simulatorPids['SMS simulator'] = sms.pid;
      env.SMS_GATEWAY_URL = sms.url;
      smsUrl = sms.url;
    }
    let worker: ChildProcess | undefined;
    const startWorker = () => {
      worker = startProcess('worker/main.js', env, path.join(dir, 'worker.log'));
    };
    if (opts.worker !== false) startWorker();
    cleanups.push(() => (worker ? stopChild(worker, 15_000) : undefined));
    const api = startProcess('api/server.js', env, path.join(dir, 'api.log'));
    cleanups.push(() => stopChild(api, 15_000));
    const apiUrl = `http://127.0.0.1:${port}`;
    await waitFor(`${apiUrl}/ready`, 60_000, path.join(dir, 'api.log'));

    await upsertStaffMember(prisma, {
      id: 'system-coordinator',
      name: 'System coordinator',
      role: 'coordinator',
      municipalities: MUNICIPALITY_CODES,
    });
    const token = await issueToken(prisma, 'system-coordinator', { label: name });
    return {
      apiUrl,
      registryUrl,
      mailAdminUrl,
      smsUrl,
      databaseUrl,
      temporalAddress: temporal.address,
      namespace,
      taskQueue: env.TASK_QUEUE!,
      client: new Client({ connection, namespace }),
      prisma,
      token,
      get worker() {
        return worker;
      },
      api,
      dir,
      pids: () => ({
        ...(temporal.pid ? { [TEMPORAL_LABEL[temporalChoice.kind]]: temporal.pid } : {}),
        PostgreSQL: postmasterPid(),
        worker: worker?.pid,
        API: api.pid,
        ...simulatorPids,
      }),
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
      killWorker: async () => {
        const dying = worker;
        if (!dying || dying.exitCode !== null || dying.signalCode !== null) return;
        await new Promise<void>((resolve) => {
          dying.once('exit', () => resolve());
          dying.kill('SIGKILL');
        });
      },
      startWorker,
      restartTemporal: async ({ downForMs = 0 } = {}) => {
        if (temporalChoice.kind === 'external')
          throw new Error("OGPS_TEMPORAL_ADDRESS: that Temporal server is not this system's to restart");
        await temporal.stop();
        const stoppedAt = Date.now();
        await new Promise((r) => setTimeout(r, downForMs));
        const restartedAt = Date.now();
        temporal = await startTemporal();
        return { stoppedAt, restartedAt };
      },
      stopPostgres: () => pg.stop(),
      startPostgres: async () => {
        pg = await startLocalPostgres(path.join(dir, 'postgres'), undefined, pgPort);
      },
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
