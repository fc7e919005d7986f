/**
 * The built worker and API as the separate processes they are in production: they start from the
 * environment, cooperate through Temporal and PostgreSQL, and stop cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../scripts/dev/ports';
import { createTestDatabase } from '../helpers/db';
import type { TestDatabase } from '../helpers/db';
import { testEnv } from '../helpers/env';
import { intakeRequest } from '../helpers/fixtures';
import { createStaff, eventually } from '../helpers/stack';
import { uniqueTaskQueue } from '../helpers/temporal';

const root = path.resolve(__dirname, '..', '..');

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startProcess(entry: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [path.join(root, 'dist', entry)], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function getJson(url: string, token?: string): Promise<{ status: number; body: unknown }> {
  try {
    const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: res.status, body: await res.json() };
  } catch {
    return { status: 0, body: undefined };
  }
}

describe('worker and API processes', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    if (!existsSync(path.join(root, 'dist', 'api', 'server.js')))
      throw new Error('run `npm run build` first');
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('serve an application end to end and stop cleanly on SIGTERM', async () => {
    const port = await freePort();
    const metricsAddress = `127.0.0.1:${await freePort()}`;
    const env = {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: testEnv('OGPS_TEST_TEMPORAL_ADDRESS'),
      TASK_QUEUE: uniqueTaskQueue('proc'),
      PORT: String(port),
      LOG_LEVEL: 'warn',
    };
    const worker = startProcess('worker/main.js', { ...env, WORKER_METRICS_ADDRESS: metricsAddress });
    const api = startProcess('api/server.js', env);
    try {
      const base = `http://127.0.0.1:${port}`;
      await eventually(
        () => getJson(`${base}/ready`),
        (r) => r.status === 200,
        60_000,
      ).catch((err: Error) => {
        // A process that died at start-up says why in its own output.
        throw new Error(`${err.message}\nAPI output:\n${api.output()}\nworker output:\n${worker.output()}`);
      });
      const { token } = await createStaff(db.prisma, 'administrative');
      const created = await fetch(`${base}/applications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(intakeRequest()),
      });
      // On failure the API's own log says why.
      expect({ status: created.status, log: created.status === 201 ? '' : api.output() }).toEqual({
        status: 201,
        log: '',
      });
      const { applicationId } = (await created.json()) as { applicationId: string };
      await eventually(
        () => getJson(`${base}/applications/${applicationId}`, token),
        (r) => (r.body as { state?: string } | undefined)?.state === 'awaiting_documents',
        60_000,
      );
      expect(await db.prisma.application.count({ where: { id: applicationId } })).toBe(1);
      // The worker's own metrics, for Prometheus: its workflow cache and the tasks it ran.
      const metrics = await (await fetch(`http://${metricsAddress}/metrics`)).text();
      expect(metrics).toMatch(/^temporal_sticky_cache_size\{[^}]*\} \d+/m);
      expect(metrics).toMatch(/^temporal_activity_execution_latency_count\{[^}]*\} [1-9]/m);
    } finally {
      worker.child.kill('SIGTERM');
      api.child.kill('SIGTERM');
    }
    expect(await api.exited).toBe(0);
    expect(await worker.exited).toBe(0);
  });

  it.each(['api/server.js', 'worker/main.js'])(
    '%s refuses to start on bad configuration, naming it',
    async (entry) => {
      const proc = startProcess(entry, {
        DATABASE_URL: 'mysql://nope',
        PORT: 'eighty',
        TEMPORAL_ADDRESS: 'x',
      });
      expect(await proc.exited).toBe(78);
      expect(proc.output()).toContain('DATABASE_URL: must be a postgresql:// connection URL');
      expect(proc.output()).toMatch(/TEMPORAL_ADDRESS: must be host:port/);
      if (entry.startsWith('api')) expect(proc.output()).toMatch(/PORT:/);
    },
  );
});
