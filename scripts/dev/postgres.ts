/**
 * A project-local PostgreSQL cluster from the machine's own server binaries (Debian's postgresql-NN
 * package keeps them in /usr/lib/postgresql/NN/bin, off PATH). Used by `npm start` and by the tests when
 * DATABASE_URL is not given. initdb refuses to run as root, so as root the cluster belongs to the
 * `postgres` system user (PG_OS_USER to choose another).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from './ports';

export interface LocalPostgres {
  /** Connection URL of the cluster's `postgres` database; use `databaseUrl(name)` for another. */
  baseUrl: string;
  databaseUrl(name: string): string;
  dataDir: string;
  stop: () => void;
}

const PG_SUPERUSER = 'ogps';

export function findPostgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(path.join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(base, versions[0], 'bin');
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      "No PostgreSQL server binaries found: install Debian's postgresql-15 package, set PG_BIN, or set DATABASE_URL",
    );
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

const osUser = (): string => process.env.PG_OS_USER ?? 'postgres';

/** Runs a PostgreSQL binary, as the cluster's owner when we are root. */
function pg(bin: string, args: string[]): void {
  const cmd = path.join(findPostgresBinDir(), bin);
  const res = isRoot()
    ? spawnSync('runuser', ['-u', osUser(), '--', cmd, ...args], { encoding: 'utf8' })
    : spawnSync(cmd, args, { encoding: 'utf8' });
  if (res.status !== 0) {
    throw new Error(`${bin} failed (${res.status}): ${res.stderr || res.stdout || res.error?.message}`);
  }
}

/** Whether the cluster owner can reach the folder: as root, a project under /root is not reachable. */
function ownerCanUse(dir: string): boolean {
  if (!isRoot()) return true;
  return spawnSync('runuser', ['-u', osUser(), '--', 'test', '-x', dir]).status === 0;
}

/**
 * Where the cluster lives: the requested folder, or, when the cluster's owner cannot reach it (a clone under
 * /root while running as root), a folder under /var/tmp named after it.
 */
export function resolveDataDir(requested: string): string {
  const parent = path.dirname(requested);
  mkdirSync(parent, { recursive: true });
  if (ownerCanUse(parent)) return requested;
  const hash = createHash('sha256').update(requested).digest('hex').slice(0, 12);
  return path.join('/var/tmp', `ogps-${hash}`, path.basename(requested));
}

function runningPort(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  try {
    process.kill(pid, 0);
    return Number(portLine);
  } catch {
    return undefined; // stale pid file of a crashed cluster; pg_ctl start handles it
  }
}

export async function startLocalPostgres(
  requestedDataDir: string,
  log: (msg: string) => void = () => undefined,
  /** The port to listen on (a restart that clients must find again); a free one when omitted. */
  requestedPort?: number,
): Promise<LocalPostgres> {
  const dataDir = resolveDataDir(requestedDataDir);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising a PostgreSQL cluster in ${dataDir}`);
    mkdirSync(dataDir, { recursive: true });
    if (isRoot()) {
      execFileSync('chown', ['-R', `${osUser()}:`, path.dirname(dataDir)]);
    }
    chmodSync(dataDir, 0o700);
    // Trust on loopback only: this cluster is for development and tests on this machine.
    pg('initdb', [
      '-D',
      dataDir,
      '-U',
      PG_SUPERUSER,
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
  }
  let port = runningPort(dataDir);
  if (port) {
    log(`PostgreSQL already running on 127.0.0.1:${port}`);
  } else {
    port = requestedPort ?? (await freePort());
    const logFile = path.join(dataDir, 'server.log');
    const options = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${dataDir}`,
      '-c max_connections=200',
      '-c fsync=off', // a development and test cluster: speed over crash safety of the machine itself
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    pg('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', options, '-w', '-t', '60', 'start']);
    writeFileSync(path.join(path.dirname(dataDir), 'postgres.port'), String(port));
    log(`PostgreSQL started on 127.0.0.1:${port}`);
  }
  const databaseUrl = (name: string): string => `postgresql://${PG_SUPERUSER}@127.0.0.1:${port}/${name}`;
  return {
    baseUrl: databaseUrl('postgres'),
    databaseUrl,
    dataDir,
    stop: () => {
      if (runningPort(dataDir)) pg('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    },
  };
}

/** Creates the database when missing; `template` copies an already migrated one, which is much faster. */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
