/**
 * The Temporal CLI's dev server (`temporal server start-dev`): a real Temporal server in one process, with
 * SQLite persistence when given a file. Used by `npm start` and by the end-to-end tests.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import YAML from 'yaml';
import { applyNamespaceRetention } from '../../adapters/temporal/retention';
import { stopChild } from './processes';

const root = path.resolve(__dirname, '..', '..');

export function findTemporalCli(): string {
  if (process.env.TEMPORAL_CLI) return process.env.TEMPORAL_CLI;
  const local = path.join(root, '.tools', 'bin', 'temporal');
  if (existsSync(local)) return local;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'temporal'))) return path.join(dir, 'temporal');
  }
  throw new Error('Temporal CLI not found: run `node scripts/bootstrap.mjs` or set TEMPORAL_CLI');
}

/** The server settings docker-compose.yml mounts for its Temporal, in the dynamic-config file format. */
export const DYNAMIC_CONFIG_FILE = path.join(root, 'deploy', 'temporal', 'dynamicconfig.yaml');

/**
 * The same settings as the dev server's flags: each key's value (the file's unconstrained one) as JSON. The
 * dev server takes no file, and keeping one list keeps the two servers alike.
 */
export function dynamicConfigFlags(file = DYNAMIC_CONFIG_FILE): string[] {
  const entries = (YAML.parse(readFileSync(file, 'utf8')) ?? {}) as Record<
    string,
    { value: unknown; constraints?: unknown }[]
  >;
  return Object.entries(entries).flatMap(([key, values]) => {
    const plain = values.find((v) => v.constraints === undefined);
    if (!plain) throw new Error(`${file}: ${key} has no value without constraints for the dev server`);
    return ['--dynamic-config-value', `${key}=${JSON.stringify(plain.value)}`];
  });
}

export interface DevServerOptions {
  port: number;
  /** Omit for a headless server (tests). */
  uiPort?: number;
  /** SQLite file that keeps state across restarts; omit for an in-memory server. */
  dbFile?: string;
  namespace?: string;
  /**
   * Days a closed workflow's history is kept before the server purges it (the namespace's retention);
   * DEV_RETENTION_DAYS by default. The worker sets its own when TEMPORAL_RETENTION_DAYS is given.
   */
  retentionDays?: number;
  /** Where the server's own output goes. */
  logFile: string;
}

export interface DevServer {
  address: string;
  process: ChildProcess;
  stop: () => Promise<void>;
}

export async function waitForTemporal(address: string, timeoutMs: number, exited?: () => string | undefined) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const problem = exited?.();
    if (problem) throw new Error(problem);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`Temporal at ${address} not ready after ${timeoutMs} ms: ${String(err)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * The dev server's namespace retention: a day, as the server creates its namespaces with, set explicitly so
 * that a SQLite file kept across runs (npm start) purges closed cases' histories too, whatever it was made with.
 */
export const DEV_RETENTION_DAYS = 1;

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  if (opts.dbFile) mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    // The HTTP API and metrics ports would otherwise be derived or fixed, and collide between runs.
    '--http-port',
    '0',
    '--metrics-port',
    '0',
    '--namespace',
    opts.namespace ?? 'default',
    '--log-level',
    'warn',
    ...(opts.uiPort ? ['--ui-port', String(opts.uiPort), '--ui-ip', '127.0.0.1'] : ['--headless']),
    ...(opts.dbFile
      ? [
          '--db-filename',
          opts.dbFile,
          // SQLite's defaults (a rollback journal, fsync at every commit) serialise the server's many small
          // writes behind the disk. A write-ahead log with synchronous=NORMAL is the usual setting for SQLite
          // under concurrent writes: a crash of the process loses nothing committed, and a power cut can lose
          // only the last commits, never corrupt the file (https://www.sqlite.org/wal.html).
          '--sqlite-pragma',
          'journal_mode=wal',
          '--sqlite-pragma',
          'synchronous=normal',
        ]
      : []),
    ...dynamicConfigFlags(),
  ];
  const log = openSync(opts.logFile, 'a');
  const child = spawn(findTemporalCli(), args, { stdio: ['ignore', log, log], detached: false });
  let exitProblem: string | undefined;
  child.once('exit', (code, signal) => {
    exitProblem = `Temporal dev server exited (${code ?? signal}); see ${opts.logFile}`;
  });
  const address = `127.0.0.1:${opts.port}`;
  await waitForTemporal(address, 60_000, () => exitProblem);
  const connection = await Connection.connect({ address });
  try {
    await applyNamespaceRetention(
      connection,
      opts.namespace ?? 'default',
      opts.retentionDays ?? DEV_RETENTION_DAYS,
    );
  } finally {
    await connection.close();
  }
  return {
    address,
    process: child,
    stop: () => stopChild(child, 10_000),
  };
}
