/**
 * A Temporal server as production runs it: the server binary (frontend, history, matching and worker
 * services in one process) on PostgreSQL, instead of the CLI's dev server on SQLite. For the benchmarks only
 * (`OGPS_TEMPORAL=postgres`): it shows what of a figure is the dev server's single SQLite writer. Its two
 * binaries are built from the Go module proxy by `node scripts/bootstrap.mjs --temporal-server` (not part of
 * `npm run setup`: tests and `npm start` use the dev server).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import Long from 'long';
import YAML from 'yaml';
import { stopChild } from './processes';
import { freePort, isListening } from './ports';
import type { DevServer } from './temporal';
import { DEV_RETENTION_DAYS, DYNAMIC_CONFIG_FILE, waitForTemporal } from './temporal';

const root = path.resolve(__dirname, '..', '..');

export const TEMPORAL_SERVER_BIN = path.join(root, '.tools', 'bin', 'temporal-server');
export const TEMPORAL_SQL_TOOL_BIN = path.join(root, '.tools', 'bin', 'temporal-sql-tool');

export interface SqlServerOptions {
  port: number;
  /** PostgreSQL to keep the server's two databases in (a superuser, trusted on loopback). */
  postgres: { host: string; port: number; user: string };
  /** The server's config and log live here. */
  dir: string;
  logFile: string;
  namespace?: string;
}

/** History shards, the unit of the server's write concurrency: as the server's own development configuration. */
const HISTORY_SHARDS = 4;

function sqlTool(opts: SqlServerOptions, database: string, args: string[]): void {
  execFileSync(
    TEMPORAL_SQL_TOOL_BIN,
    [
      '--plugin',
      'postgres12',
      '--ep',
      opts.postgres.host,
      '-p',
      String(opts.postgres.port),
      '-u',
      opts.postgres.user,
      '--db',
      database,
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/**
 * Creates the server's databases and brings their schemas to the binary's version (embedded in the tool).
 * Again on a restart: creating what exists is let pass (`--quiet`), and the update then finds nothing to do.
 */
function setUpSchemas(opts: SqlServerOptions): void {
  for (const [database, schema] of [
    ['temporal', 'postgresql/v12/temporal'],
    ['temporal_visibility', 'postgresql/v12/visibility'],
  ] as const) {
    sqlTool(opts, database, ['--quiet', 'create-database']);
    sqlTool(opts, database, ['--quiet', 'setup-schema', '-v', '0.0']);
    sqlTool(opts, database, ['update-schema', '--schema-name', schema]);
  }
}

/**
 * A free port below 32768: the server keeps its services' membership ports in a smallint column, and the
 * ports the system hands out (`freePort`) are above it on Linux.
 */
async function freeMembershipPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && !(await isListening(port))) {
      taken.add(port);
      return port;
    }
  }
}

async function serverConfig(opts: SqlServerOptions): Promise<unknown> {
  const taken = new Set<number>();
  const store = (database: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName: database,
      connectAddr: `${opts.postgres.host}:${opts.postgres.port}`,
      connectProtocol: 'tcp',
      user: opts.postgres.user,
      password: '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = async (grpcPort: number) => ({
    rpc: { grpcPort, membershipPort: await freeMembershipPort(taken), bindOnLocalHost: true },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: HISTORY_SHARDS,
      datastores: { default: store('temporal', 20), visibility: store('temporal_visibility', 10) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: { rpc: { ...(await service(opts.port)).rpc, httpPort: await freePort() } },
      history: await service(await freePort()),
      matching: await service(await freePort()),
      worker: await service(await freePort()),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${opts.port}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    // The same settings as the dev server's (its flags) and docker-compose.yml's server.
    dynamicConfigClient: { filepath: DYNAMIC_CONFIG_FILE, pollInterval: '10s' },
  };
}

export async function startSqlServer(opts: SqlServerOptions): Promise<DevServer> {
  for (const bin of [TEMPORAL_SERVER_BIN, TEMPORAL_SQL_TOOL_BIN])
    if (!existsSync(bin)) throw new Error(`${bin} missing: run node scripts/bootstrap.mjs --temporal-server`);
  setUpSchemas(opts);
  mkdirSync(path.join(opts.dir, 'config'), { recursive: true });
  writeFileSync(path.join(opts.dir, 'config', 'development.yaml'), YAML.stringify(await serverConfig(opts)));
  const log = openSync(opts.logFile, 'a');
  const child = spawn(TEMPORAL_SERVER_BIN, ['--root', opts.dir, '--allow-no-auth', 'start'], {
    stdio: ['ignore', log, log],
  });
  let exitProblem: string | undefined;
  child.once('exit', (code, signal) => {
    exitProblem = `Temporal server exited (${code ?? signal}); see ${opts.logFile}`;
  });
  const address = `127.0.0.1:${opts.port}`;
  await waitForTemporal(address, 120_000, () => exitProblem);
  // Unlike the dev server, the server creates no namespace of its own.
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.registerNamespace({
      namespace: opts.namespace ?? 'default',
      workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(DEV_RETENTION_DAYS * 86_400) },
    });
    // The namespace reaches every service through their caches: wait until the frontend can describe it.
    for (const deadline = Date.now() + 60_000; ;) {
      try {
        await connection.workflowService.describeNamespace({ namespace: opts.namespace ?? 'default' });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await connection.close();
  }
  return { address, process: child, stop: () => stopChild(child, 10_000) };
}
