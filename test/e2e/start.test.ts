/**
 * The start command as a new user runs it: everything embedded comes up, demo cases move, Ctrl-C stops it
 * all, and a second run finds the data of the first. Ports and the data folder are its own, so that it
 * runs beside a developer's `npm start`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DEMO_APPLICATIONS } from '../../domain/demo';
import { freePort } from '../../scripts/dev/ports';
import { officeYear } from '../../adapters/db/application-numbers';
import { intakeRequest } from '../helpers/fixtures';
import { eventually } from '../helpers/stack';

const root = path.resolve(__dirname, '..', '..');

interface Run {
  output: () => string;
  ready: Promise<void>;
  stop: () => Promise<number | null>;
}

function startCommand(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (out.includes('press Ctrl-C to stop everything')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`start exited with ${code} before ready:\n${out}`)));
  });
  return {
    output: () => out,
    ready,
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

describe('npm start', () => {
  const dataDir = path.join(root, '.data', 'test', `start-${randomBytes(4).toString('hex')}`);
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings up Temporal, PostgreSQL, worker and API with demo cases, stops on Ctrl-C and keeps the data', async () => {
    mkdirSync(dataDir, { recursive: true });
    const env = {
      OGPS_DATA_DIR: dataDir,
      TEMPORAL_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      PORT: String(await freePort()),
      SIMULATOR_PORT: String(await freePort()),
    };
    const simulator = `http://127.0.0.1:${env.SIMULATOR_PORT}`;
    const api = `http://127.0.0.1:${env.PORT}`;
    const year = officeYear(new Date());
    const demoCase = `${api}/applications/08305-${year}-000001`;

    let auth: Record<string, string> = {};
    const first = startCommand(env);
    try {
      await first.ready;
      expect(first.output()).toContain('seeded 5 demo applications');
      expect(first.output()).toContain(
        'registered search attributes OgpsState, OgpsBenefit, OgpsMunicipality, OgpsAssignee, OgpsNextDeadline',
      );
      expect(first.output()).toContain(`Temporal UI  http://127.0.0.1:${env.TEMPORAL_UI_PORT}`);
      expect((await fetch(`${api}/health`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}/`)).status).toBe(200);
      expect((await fetch(`${api}/docs`)).status).toBe(200);
      // Demo staff with tokens, one per role, written where only the owner reads them.
      const tokensFile = path.join(dataDir, 'demo-tokens.json');
      expect(statSync(tokensFile).mode & 0o777).toBe(0o600);
      const tokens = JSON.parse(readFileSync(tokensFile, 'utf8')) as Record<string, string>;
      auth = { authorization: `Bearer ${tokens['demo-coordinator']}` };
      expect(Object.keys(tokens).sort()).toEqual([
        'demo-admin',
        'demo-auditor',
        'demo-coordinator',
        'demo-social',
        'demo-social-2',
      ]);
      expect((await fetch(demoCase)).status).toBe(401);
      await eventually(
        async () => (await (await fetch(demoCase, { headers: auth })).json()) as { state?: string },
        (s) => s.state === 'awaiting_documents',
      );
      // The demo cases were checked against the registry simulator that npm start runs.
      expect(first.output()).toContain(`registry simulator on ${simulator}`);
      expect(first.output()).toMatch(/mail capture on smtp:\/\/127\.0\.0\.1:\d+/);
      expect(first.output()).toMatch(/SMS gateway simulator on http:\/\/127\.0\.0\.1:\d+/);
      const asked = (await (
        await fetch(`${simulator}/admin/requests?document=${DEMO_APPLICATIONS[0]!.applicant.documentNumber}`)
      ).json()) as { service: string; result: string }[];
      expect(asked).toEqual(
        expect.arrayContaining([expect.objectContaining({ service: 'PADRO', result: 'answered' })]),
      );
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(first.output()).toContain('[start] stopped');
    await expect(fetch(`${api}/health`)).rejects.toThrow();
    await expect(fetch(`${simulator}/health`)).rejects.toThrow();

    const second = startCommand(env);
    try {
      await second.ready;
      expect(second.output()).not.toContain('seeded');
      expect(second.output()).toContain('search attributes already registered in namespace default');
      expect(second.output()).toContain('no pending migrations');
      expect(second.output()).toContain(`demo staff API tokens: ${path.join(dataDir, 'demo-tokens.json')}`);
      const status = (await (await fetch(demoCase, { headers: auth })).json()) as {
        state: string;
        applicationId: string;
      };
      expect(status).toMatchObject({ applicationId: `08305-${year}-000001`, state: 'awaiting_documents' });
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('restarts a worker and a simulator killed with SIGKILL while the API keeps answering, and the cases go on', async () => {
    const ownData = path.join(root, '.data', 'test', `start-kill-${randomBytes(4).toString('hex')}`);
    mkdirSync(ownData, { recursive: true });
    const env = {
      OGPS_DATA_DIR: ownData,
      TEMPORAL_PORT: String(await freePort()),
      TEMPORAL_UI_PORT: String(await freePort()),
      PORT: String(await freePort()),
      SIMULATOR_PORT: String(await freePort()),
    };
    const api = `http://127.0.0.1:${env.PORT}`;
    const run = startCommand(env);
    try {
      await run.ready;
      const pids = () =>
        [...run.output().matchAll(/\[start\] worker started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
      const [first] = pids();
      expect(first).toBeGreaterThan(0);
      const tokens = JSON.parse(readFileSync(path.join(ownData, 'demo-tokens.json'), 'utf8')) as Record<
        string,
        string
      >;
      const headers = { authorization: `Bearer ${tokens['demo-admin']}`, 'content-type': 'application/json' };

      process.kill(first!, 'SIGKILL');
      await eventually(
        async () => run.output(),
        (out) => /worker exited unexpectedly \(SIGKILL\); restarting it/.test(out),
      );
      // The API keeps serving, and takes a filing while no worker runs.
      expect((await fetch(`${api}/health`)).status).toBe(200);
      const filed = await fetch(`${api}/applications`, {
        method: 'POST',
        headers,
        body: JSON.stringify(intakeRequest()),
      });
      expect(filed.status).toBe(201);
      const id = ((await filed.json()) as { applicationId: string }).applicationId;

      // A new worker takes over, and the case filed meanwhile goes on.
      await eventually(
        async () => pids(),
        (p) => p.length === 2 && p[1] !== first,
        60_000,
      );
      await eventually(
        async () =>
          ((await (await fetch(`${api}/applications/${id}`, { headers })).json()) as { state?: string })
            .state,
        (state) => state !== undefined && state !== 'submitted',
        60_000,
      );

      // A simulator killed the same way comes back on the same port, so the worker's URL stays true.
      const simulator = `http://127.0.0.1:${env.SIMULATOR_PORT}`;
      const registry = /\[start\] registry simulator started \(pid (\d+)\)/.exec(run.output());
      expect(Number(registry?.[1])).toBeGreaterThan(0);
      process.kill(Number(registry![1]), 'SIGKILL');
      await eventually(
        async () => run.output(),
        (out) => /registry simulator exited unexpectedly \(SIGKILL\); restarting it/.test(out),
      );
      await eventually(
        async () => (await fetch(`${simulator}/health`).catch(() => undefined))?.status,
        (status) => status === 200,
        30_000,
      );
      expect(run.output().match(/\[start\] registry simulator started/g)).toHaveLength(2);
      expect(run.output()).not.toContain('stopping everything');
    } finally {
      expect(await run.stop()).toBe(0);
      rmSync(ownData, { recursive: true, force: true });
    }
  });
});
