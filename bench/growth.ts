/**
 * 4. Growth: the list, deadlines and stuck endpoints with 10,000 and with 100,000 cases in the projection
 * (seeded in bulk with realistic proportions of states, benefits, municipalities, assignees, deadlines and
 * tasks). Target: p99 grows by at most 1.3×; EXPLAIN shows index use for every filter the list offers, the
 * deadlines' queries and a step of the stuck-case pages.
 *
 *   npm run bench -- growth [--small 10000] [--large 100000] [--seconds 10] [--connections 10]
 */
import autocannon from 'autocannon';
import { MUNICIPALITY_CODES } from '../domain/municipalities';
import { Prisma } from '../generated/prisma/client';
import { applicationListQuery } from '../adapters/db/application-list';
import type { ApplicationListFilters } from '../adapters/db/application-list';
import type { PrismaClient } from '../adapters/db/prisma';
import { arg, report, runBenchmark } from './lib/report';
import { seedCases } from './lib/growth-seed';
import { startBenchStack } from './lib/stack';

/** A list page as GET /applications asks for it (the API's own query), over a coordinator's municipalities. */
const listPage = (filters: ApplicationListFilters, after?: string) =>
  applicationListQuery({ municipalities: MUNICIPALITY_CODES, filters, after, take: 21 });

/**
 * Each filter the list offers, as the API runs it, and the other lists' queries (written out as their
 * modules build them).
 */
const LIST_QUERIES: Record<string, Prisma.Sql | string> = {
  'no filter': listPage({}),
  state: listPage({ state: 'assessment' }),
  benefit: listPage({ benefitCode: 'RENT' }),
  assignee: listPage({ assignee: 'staff-7' }),
  deadlineBefore: listPage({ deadlineBefore: new Date().toISOString().slice(0, 10) }),
  blocked: listPage({ blocked: true }),
  cursor: listPage({}, '08305-2026-005000'),
  // The office's deadlines (services/coordination.ts), per municipality, with and without a bucket.
  deadlines: `SELECT d.* FROM application_deadline d JOIN application a ON a.id = d.application_id
    WHERE d.municipality_code = '08305' AND d.paused_since IS NULL AND a.closed_at IS NULL
    ORDER BY d.due_date, d.application_id, d.kind LIMIT 51`,
  'overdue deadlines': `SELECT d.* FROM application_deadline d JOIN application a ON a.id = d.application_id
    WHERE d.municipality_code = '08305' AND d.paused_since IS NULL AND a.closed_at IS NULL
      AND d.due_date < current_date ORDER BY d.due_date, d.application_id, d.kind LIMIT 51`,
  // A step of a page of stuck cases: the next open cases of one municipality, and the events they are judged by.
  'stuck: open cases': `SELECT * FROM application WHERE municipality_code = '08305' AND closed_at IS NULL
    AND id > '08305-2026-005000' ORDER BY id LIMIT 100`,
  'stuck: last change': `SELECT application_id, max(occurred_at) FROM application_event
    WHERE application_id IN (SELECT id FROM application WHERE municipality_code = '08305' AND closed_at IS NULL
      ORDER BY id LIMIT 100) AND to_state IS NOT NULL GROUP BY application_id`,
};

async function plans(prisma: PrismaClient): Promise<Record<string, { indexed: boolean; plan: string }>> {
  const out: Record<string, { indexed: boolean; plan: string }> = {};
  for (const [name, sql] of Object.entries(LIST_QUERIES)) {
    const rows =
      typeof sql === 'string'
        ? await prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${sql}`)
        : await prisma.$queryRaw<{ 'QUERY PLAN': string }[]>(Prisma.sql`EXPLAIN ${sql}`);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    out[name] = {
      indexed: /Index (Only )?Scan|Bitmap Index Scan/.test(plan) && !/Seq Scan on application/.test(plan),
      plan,
    };
  }
  return out;
}

/**
 * Latency over `seconds` at `connections`, or over a fixed number of requests (`amount`: every one answered
 * before this returns, so that none is left working into the next measurement).
 */
async function p99(
  url: string,
  paths: string[],
  token: string,
  seconds: number,
  connections: number,
  amount?: number,
) {
  let i = 0;
  const r = await autocannon({
    url,
    connections,
    ...(amount ? { amount } : { duration: seconds }),
    // A page of stuck cases may take seconds under 10 connections: autocannon's 10 s would count it an error.
    timeout: 60,
    headers: { authorization: `Bearer ${token}` },
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
  });
  return {
    p50: r.latency.p50,
    p99: r.latency.p99,
    rps: Math.round(r.requests.average),
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

async function main(): Promise<void> {
  const small = arg('small', 10_000);
  const large = arg('large', 100_000);
  const seconds = arg('seconds', 10);
  const connections = arg('connections', 10);
  const stack = await startBenchStack('growth', { worker: false });
  const endpoints: Record<string, string[]> = {
    list: [
      '/applications?limit=20',
      '/applications?state=assessment&limit=20',
      '/applications?benefit=RENT&municipality=08305&limit=20',
      '/applications?assignee=staff-7&limit=20',
      '/applications?blocked=true&limit=20',
    ],
    deadlines: ['/coordination/deadlines', '/coordination/deadlines?bucket=overdue'],
    // The first page, and a reason few cases have (its pages read their whole budget of open cases).
    stuck: ['/coordination/stuck', '/coordination/stuck?reason=task_overdue'],
  };
  try {
    const measured: Record<string, Record<string, Awaited<ReturnType<typeof p99>>>> = {};
    const explained: Record<string, Awaited<ReturnType<typeof plans>>> = {};
    for (const [size, from] of [
      [small, 1],
      [large, small + 1],
    ] as const) {
      await seedCases(stack.prisma, from, size);
      explained[size] = await plans(stack.prisma);
      measured[size] = {};
      for (const [name, paths] of Object.entries(endpoints)) {
        // Unmeasured first: the 10,000 figures came right after the API started and carried its warm-up
        // (JIT, connection pool, Prisma's query plans), which made the growth look smaller or larger than it was.
        await p99(stack.apiUrl, paths, stack.token, 0, connections, connections * 3);
        measured[size][name] = await p99(stack.apiUrl, paths, stack.token, seconds, connections);
      }
    }
    const figures = Object.keys(endpoints).flatMap((name) => {
      const a = measured[small]![name]!;
      const b = measured[large]![name]!;
      const growth = Math.round((b.p99 / a.p99) * 100) / 100;
      return [
        { what: `${name}: p99 at ${small} → ${large} cases`, value: `${a.p99} → ${b.p99}`, unit: 'ms' },
        {
          what: `${name}: p99 growth`,
          value: `${growth}×`,
          target: '≤ 1.3×',
          met: growth <= 1.3 && a.errors + a.non2xx + b.errors + b.non2xx === 0,
        },
        { what: `${name}: requests per second at ${large}`, value: b.rps, unit: '/s' },
        {
          what: `${name}: errors and non-2xx`,
          value: a.errors + a.non2xx + b.errors + b.non2xx,
          target: '0',
          met: a.errors + a.non2xx + b.errors + b.non2xx === 0,
        },
      ];
    });
    const unindexed = Object.entries(explained[large]!)
      .filter(([, p]) => !p.indexed)
      .map(([n]) => n);
    figures.push({
      what: `list, deadline and stuck-page queries using an index at ${large} cases`,
      value: `${Object.keys(LIST_QUERIES).length - unindexed.length} of ${Object.keys(LIST_QUERIES).length}`,
      target: 'all',
      met: unindexed.length === 0,
    });
    report('growth', figures, { small, large, seconds, connections, measured, plans: explained });
    if (unindexed.length > 0)
      for (const n of unindexed) console.log(`\n${n}:\n${explained[large]![n]!.plan}`);
  } finally {
    await stack.stop();
  }
}

runBenchmark(main);
