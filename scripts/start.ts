/**
 * `npm start`: the whole system with one command.
 *
 * Without TEMPORAL_ADDRESS it runs a Temporal dev server (SQLite in .data/temporal, UI on :8233); without
 * DATABASE_URL a project-local PostgreSQL cluster (.data/postgres). It applies the migrations, starts the
 * worker and the API, seeds demo applications on an empty database (on by default with the embedded
 * servers), prints where everything is, and stops it all on Ctrl-C. A second run reuses the data.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Connection } from '@temporalio/client';
import { Client } from 'pg';
import type { StaffRole } from '../domain/access';
import { DEMO_APPLICATIONS } from '../domain/demo';
import { configSchema } from '../adapters/config';
import { newToken, tokenExpiry } from '../adapters/db/staff';
import { registerSearchAttributes } from '../adapters/temporal/search-attributes';
import { APPLICATION_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { ensureDatabase, startLocalPostgres } from './dev/postgres';
import { isListening } from './dev/ports';
import { startSimulator } from './dev/simulator';
import type { RunningSimulator, SimulatorOptions } from './dev/simulator';
import { supervise } from './dev/supervise';
import type { Launched } from './dev/supervise';
import { startDevServer } from './dev/temporal';
import { stopChild } from './dev/processes';
import { runMigrator } from './dev/run-migrator';

const root = path.resolve(__dirname, '..');
const dataDir = path.resolve(process.env.OGPS_DATA_DIR ?? path.join(root, '.data'));

function say(msg: string): void {
  process.stdout.write(`[start] ${msg}\n`);
}

const cleanups: (() => Promise<void> | void)[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping…');
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        say(`while stopping: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    say('stopped');
  }
  process.exit(code);
}

const supervisorHooks = {
  say,
  stopping: () => stopping,
  giveUp: () => void shutdown(1),
};

/**
 * Runs `entry` (the worker or the API) as a child process under a supervisor: restarted after a growing
 * wait when it exits unexpectedly, while the others keep serving (the API answers 503 with Retry-After for
 * what needs a worker meanwhile).
 */
async function superviseChild(name: string, entry: string, env: NodeJS.ProcessEnv): Promise<void> {
  const launch = (): Promise<Launched> => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream)
        createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
    }
    return Promise.resolve({
      pid: child.pid,
      exited: new Promise<string>((resolve) =>
        child.once('exit', (code, signal) => resolve(String(code ?? signal))),
      ),
      // The worker lets running activities finish: more grace than the servers need.
      stop: () => stopChild(child, 15_000),
    });
  };
  cleanups.push(await supervise(name, launch, supervisorHooks));
}

/**
 * Runs a simulator under a supervisor, restarted on the same port(s) when it crashes, so that the URLs
 * the worker was given stay true. What it captured in memory (sent mail, SMS, injected faults) is lost
 * with the crashed process.
 */
async function superviseSimulator(name: string, options: SimulatorOptions): Promise<RunningSimulator> {
  let first: RunningSimulator | undefined;
  const launch = async (): Promise<Launched> => {
    if (!first) {
      first = await startSimulator(options);
      return first;
    }
    const fixed = { ...options, port: Number(new URL(first.url).port) };
    if (first.adminUrl) fixed.env = { ...options.env, SIMULATOR_ADMIN_PORT: new URL(first.adminUrl).port };
    return startSimulator(fixed);
  };
  cleanups.push(await supervise(name, launch, supervisorHooks));
  return first!;
}

async function waitForReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} not ready after ${timeoutMs / 1000}s`);
}

async function isEmpty(databaseUrl: string): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM application');
    return rows[0]?.n === '0';
  } finally {
    await client.end();
  }
}

/** Demo staff, one per role (two social workers, for four eyes), working for the demo municipalities. */
const DEMO_STAFF: { id: string; name: string; role: StaffRole }[] = [
  { id: 'demo-admin', name: 'Aina Administrativa', role: 'administrative' },
  { id: 'demo-social', name: 'Sergi Social', role: 'social_worker' },
  { id: 'demo-social-2', name: 'Sònia Social', role: 'social_worker' },
  { id: 'demo-coordinator', name: 'Carla Coordinadora', role: 'coordinator' },
  { id: 'demo-auditor', name: 'Àlex Auditor', role: 'auditor' },
];

/** TOKEN_LIFETIME_DAYS as the API reads it: the demo tokens expire like any other. */
function tokenLifetimeDays(env: NodeJS.ProcessEnv): number {
  const parsed = configSchema.shape.TOKEN_LIFETIME_DAYS.safeParse(env.TOKEN_LIFETIME_DAYS || undefined);
  if (!parsed.success)
    throw new Error(`TOKEN_LIFETIME_DAYS: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/**
 * Creates the demo staff and a token for each (expiring after `lifetimeDays`), written to a file only its
 * owner can read (the tokens are not kept anywhere else). Returns the administrative token, which files the
 * demo applications.
 */
async function seedDemoStaff(databaseUrl: string, tokensFile: string, lifetimeDays: number): Promise<string> {
  const municipalities = [...new Set(DEMO_APPLICATIONS.map((a) => a.municipalityCode))];
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const tokens: Record<string, string> = {};
  try {
    for (const member of DEMO_STAFF) {
      await client.query(
        `INSERT INTO staff_member (id, name, role, municipalities, email) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET name = $2, role = $3, municipalities = $4, email = $5, active = true`,
        [member.id, member.name, member.role, municipalities, `${member.id}@ogps.local`],
      );
      const { id, token, hash } = newToken();
      await client.query(
        `INSERT INTO api_token (id, staff_id, token_hash, label, expires_at)
         VALUES ($1, $2, $3, 'npm start demo', $4)`,
        [id, member.id, hash, tokenExpiry(new Date(), lifetimeDays)],
      );
      tokens[member.id] = token;
    }
  } finally {
    await client.end();
  }
  writeFileSync(tokensFile, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  say(`demo staff ${DEMO_STAFF.map((m) => m.id).join(', ')}: their API tokens are in ${tokensFile}`);
  return tokens['demo-admin'] as string;
}

async function seedDemo(apiUrl: string, token: string): Promise<void> {
  for (const application of DEMO_APPLICATIONS) {
    const res = await fetch(`${apiUrl}/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(application),
    });
    if (res.status !== 201) throw new Error(`demo application refused: ${res.status} ${await res.text()}`);
  }
  say(`seeded ${DEMO_APPLICATIONS.length} demo applications (DEMO_DATA=false to skip)`);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty' };
  const embeddedTemporal = !process.env.TEMPORAL_ADDRESS;
  const embeddedDatabase = !process.env.DATABASE_URL;
  let temporalUi = process.env.TEMPORAL_UI_URL;

  if (embeddedTemporal) {
    const port = Number(process.env.TEMPORAL_PORT ?? 7233);
    const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
    for (const p of [port, uiPort]) {
      if (await isListening(p)) {
        throw new Error(
          `port ${p} is already in use: stop what uses it, set TEMPORAL_PORT/TEMPORAL_UI_PORT, or set TEMPORAL_ADDRESS to use an existing Temporal server`,
        );
      }
    }
    say(`starting the Temporal dev server on 127.0.0.1:${port} (state in ${path.join(dataDir, 'temporal')})`);
    const server = await startDevServer({
      port,
      uiPort,
      dbFile: path.join(dataDir, 'temporal', 'temporal.db'),
      namespace: env.TEMPORAL_NAMESPACE ?? 'default',
      logFile: path.join(dataDir, 'temporal', 'server.log'),
    });
    cleanups.push(server.stop);
    env.TEMPORAL_ADDRESS = server.address;
    temporalUi = `http://127.0.0.1:${uiPort}`;
  }

  // Cases are listed and filtered by these in Temporal (and its UI): registered before anything starts one.
  const temporalConnection = await Connection.connect({ address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  try {
    const namespace = env.TEMPORAL_NAMESPACE ?? 'default';
    const added = await registerSearchAttributes(
      temporalConnection,
      namespace,
      APPLICATION_SEARCH_ATTRIBUTES,
    );
    say(
      added.length > 0
        ? `registered search attributes ${added.join(', ')} in namespace ${namespace}`
        : `search attributes already registered in namespace ${namespace}`,
    );
  } finally {
    await temporalConnection.close();
  }

  if (embeddedDatabase) {
    const pg = await startLocalPostgres(path.join(dataDir, 'postgres'), say);
    cleanups.push(pg.stop);
    await ensureDatabase(pg.baseUrl, 'ogps');
    env.DATABASE_URL = pg.databaseUrl('ogps');
  }

  // Without a platform to point at, the registry simulator answers for its fictional population.
  if (!env.REGISTRY_BASE_URL) {
    const port = Number(env.SIMULATOR_PORT ?? 4010);
    if (await isListening(port)) {
      throw new Error(
        `port ${port} is already in use: set SIMULATOR_PORT, or REGISTRY_BASE_URL to a real platform`,
      );
    }
    const simulator = await superviseSimulator('registry simulator', {
      port,
      logFile: path.join(dataDir, 'simulator.log'),
    });
    env.REGISTRY_BASE_URL = simulator.url;
    say(`registry simulator on ${simulator.url} (fault injection at ${simulator.url}/admin/faults)`);
  }

  say('applying database migrations');
  const migrated = runMigrator(['deploy'], env);
  if (migrated.code !== 0) throw new Error(`migrations failed:\n${migrated.out}`);
  say(migrated.out.trim());

  const port = Number(env.PORT ?? 3000);
  if (await isListening(port)) throw new Error(`port ${port} is already in use: set PORT to another one`);
  env.PORT = String(port);

  // Without a mail server or an SMS gateway to point at, simulators capture what would be sent.
  if (!env.SMTP_URL) {
    const smtp = await superviseSimulator('mail capture', {
      kind: 'smtp',
      port: Number(env.SMTP_CAPTURE_PORT ?? 0),
      logFile: path.join(dataDir, 'smtp-simulator.log'),
    });
    env.SMTP_URL = smtp.url;
    say(`mail capture on ${smtp.url} (what was sent: ${smtp.adminUrl}/messages)`);
  }
  if (!env.SMS_GATEWAY_URL) {
    env.SMS_WEBHOOK_SECRET ??= randomBytes(24).toString('base64url');
    const sms = await superviseSimulator('SMS gateway simulator', {
      kind: 'sms',
      port: Number(env.SMS_SIMULATOR_PORT ?? 0),
      logFile: path.join(dataDir, 'sms-simulator.log'),
      env: {
        SMS_RECEIPT_URL: `http://127.0.0.1:${port}/webhooks/sms/receipts`,
        SMS_WEBHOOK_SECRET: env.SMS_WEBHOOK_SECRET,
      },
    });
    env.SMS_GATEWAY_URL = sms.url;
    say(`SMS gateway simulator on ${sms.url} (what was sent: ${sms.url}/admin/messages)`);
  }

  // Personal data is encrypted in Temporal from the first start: without configured keys, one is generated
  // once and kept beside the local data (readable by this user only), so restarts read older histories.
  if (!env.PAYLOAD_ENCRYPTION_KEYS) {
    const keyFile = path.join(dataDir, 'payload-keys');
    if (!existsSync(keyFile)) {
      const id = `local-${new Date().toISOString().slice(0, 10)}`;
      writeFileSync(keyFile, `${id}:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    }
    env.PAYLOAD_ENCRYPTION_KEYS = readFileSync(keyFile, 'utf8').trim();
    say(`payloads encrypted in Temporal with the key in ${keyFile}`);
  }

  say('starting the worker (it bundles the workflow code first) and the API');
  await superviseChild('worker', 'worker/main.ts', env);
  await superviseChild('api', 'api/server.ts', env);
  const apiUrl = `http://127.0.0.1:${port}`;
  await waitForReady(`${apiUrl}/ready`, 60_000);

  const demo = env.DEMO_DATA
    ? ['true', '1', 'yes'].includes(env.DEMO_DATA)
    : embeddedTemporal && embeddedDatabase;
  const tokensFile = path.join(dataDir, 'demo-tokens.json');
  if (demo && (await isEmpty(env.DATABASE_URL as string))) {
    await seedDemo(
      apiUrl,
      await seedDemoStaff(env.DATABASE_URL as string, tokensFile, tokenLifetimeDays(env)),
    );
  } else if (existsSync(tokensFile)) {
    say(`demo staff API tokens: ${tokensFile}`);
  }

  say('ready:');
  say(`  API          ${apiUrl}   (GET /health, GET /ready)`);
  say(`  API docs     ${apiUrl}/docs   (OpenAPI at ${apiUrl}/openapi.json)`);
  say(
    `  Temporal UI  ${temporalUi ?? 'the UI of your Temporal cluster (set TEMPORAL_UI_URL to show it here)'}`,
  );
  say('press Ctrl-C to stop everything');
}

main().catch(async (err: unknown) => {
  say(`failed: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
});
