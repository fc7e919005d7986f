/**
 * 3. Reads: GET /applications/:id and a filtered GET /applications page at 50 connections (autocannon), beside
 * a bare Express handler doing one primary-key select with `pg` in the same run. Target: p99 within 1.5× of
 * the bare handler.
 *
 *   npm run bench -- reads [--connections 50] [--seconds 20] [--cases 300]
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import autocannon from 'autocannon';
import { dniFor } from '../domain/identity';
import { freePort } from '../scripts/dev/ports';
import { arg, report, runBenchmark } from './lib/report';
import { startBenchStack } from './lib/stack';

interface Load {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
  non2xx: number;
}

async function load(
  url: string,
  paths: () => string,
  token: string | undefined,
  seconds: number,
  connections: number,
): Promise<Load> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    requests: [{ setupRequest: (req) => ({ ...req, path: paths() }) }],
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: Math.round(result.requests.average),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function main(): Promise<void> {
  const connections = arg('connections', 50);
  const seconds = arg('seconds', 20);
  const cases = arg('cases', 300);
  const stack = await startBenchStack('reads');
  const port = await freePort();
  const bare = fork(path.join(__dirname, 'bare-server.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, DATABASE_URL: stack.databaseUrl, PORT: String(port) },
  });
  try {
    await once(bare, 'message');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${stack.token}` };
    const ids: string[] = [];
    for (let i = 0; i < cases; i++) {
      const res = await fetch(`${stack.apiUrl}/applications`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          municipalityCode: '08200',
          benefitCode: i % 2 ? 'URGENCY_FOOD' : 'RENT',
          applicant: {
            firstName: 'Persona',
            lastName: 'De Prova',
            documentNumber: dniFor(50_000_000 + i),
            language: 'ca',
          },
        }),
      });
      if (res.status !== 201) throw new Error(`filing: HTTP ${res.status}`);
      ids.push(((await res.json()) as { applicationId: string }).applicationId);
    }
    // Reads of cases at rest: every case waiting for its documents.
    for (const deadline = Date.now() + 300_000; ;) {
      const n = await stack.prisma.application.count({ where: { state: 'awaiting_documents' } });
      if (n === cases) break;
      if (Date.now() > deadline) throw new Error(`only ${n} of ${cases} cases at rest`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const anyId = () => `/applications/${ids[Math.floor(Math.random() * ids.length)]}`;
    const bareRun = await load(`http://127.0.0.1:${port}`, anyId, undefined, seconds, connections);
    const one = await load(stack.apiUrl, anyId, stack.token, seconds, connections);
    const list = await load(
      stack.apiUrl,
      () => '/applications?state=awaiting_documents&benefit=URGENCY_FOOD&limit=20',
      stack.token,
      seconds,
      connections,
    );
    const failed = [bareRun, one, list].reduce((n, r) => n + r.errors + r.non2xx, 0);
    const figures = [
      {
        what: `bare Express + pg primary-key select: p50 / p99 (${connections} connections)`,
        value: `${bareRun.p50} / ${bareRun.p99}`,
        unit: 'ms',
      },
      { what: 'bare: requests per second', value: bareRun.rps, unit: '/s' },
      {
        what: 'GET /applications/:id: p50 / p99',
        value: `${one.p50} / ${one.p99}`,
        unit: 'ms',
        target: `p99 ≤ ${Math.round(bareRun.p99 * 1.5)} ms (1.5 × bare)`,
        met: one.p99 <= bareRun.p99 * 1.5,
      },
      { what: 'GET /applications/:id: requests per second', value: one.rps, unit: '/s' },
      {
        what: 'GET /applications?state&benefit&limit=20: p50 / p99',
        value: `${list.p50} / ${list.p99}`,
        unit: 'ms',
        target: `p99 ≤ ${Math.round(bareRun.p99 * 1.5)} ms (1.5 × bare)`,
        met: list.p99 <= bareRun.p99 * 1.5,
      },
      { what: 'GET /applications (filtered): requests per second', value: list.rps, unit: '/s' },
      {
        what: 'errors and non-2xx answers (all three)',
        value: failed,
        target: '0',
        met: failed === 0,
      },
    ];
    report('reads', figures, { connections, seconds, cases, bare: bareRun, one, list });
  } finally {
    bare.kill('SIGTERM');
    await stack.stop();
  }
}

runBenchmark(main);
