/**
 * 4. Growth: the list, deadlines and stuck endpoints with 10,000 and with 100,000 cases in the projection
 * (seeded in bulk with realistic proportions of states, benefits, municipalities, assignees, deadlines and
 * tasks). Target: p99 grows by at most 1.3×; EXPLAIN shows index use for every filter the list offers.
 *
 *   npm run bench -- growth [--small 10000] [--large 100000] [--seconds 10] [--connections 10]
 */
import autocannon from 'autocannon';
import type { PrismaClient } from '../infra/db';
import { arg, report, runBenchmark } from './lib/report';
import { startBenchStack } from './lib/stack';

const MUNICIPALITIES = ['08305', '08112', '08096', '08169', '08200', '08187', '08022'];
const BENEFITS = ['URGENCY_FOOD', 'BASIC_SUPPLIES', 'RENT', 'SCHOOL_MEALS', 'INCOME_COMPLEMENT'];
const STAFF = 70; // ten per office

/**
 * Cases `from`..`to`: four in ten closed, the rest spread over the lifecycle's states as an office's are
 * (many waiting on documents or being paid), each open case with its deadlines and, when staff owe it
 * something, its task; three steps each on the timeline.
 */
async function seed(prisma: PrismaClient, from: number, to: number): Promise<void> {
  const states = `(ARRAY['closed','closed','closed','closed','awaiting_documents','awaiting_documents','assessment','proposed','notifying','paying','paying','awaiting_justification','appeal','repayment','registered','renewal_review'])`;
  await prisma.$executeRawUnsafe(`
    INSERT INTO application (id, municipality_code, benefit_code, state, applicant_name, applicant_document,
      submitted_at, effective_filing_date, catalogue_version, registered_at, closed_at, updated_at, assignee,
      next_deadline, blocked_on)
    SELECT m || '-2026-' || lpad(g::text, 6, '0'), m, b, s, 'Persona ' || g, '00000000T',
      now() - (g % 300) * interval '1 day', current_date - (g % 300), '2026-01',
      now() - (g % 300) * interval '1 day',
      CASE WHEN s = 'closed' THEN now() - (g % 30) * interval '1 day' END,
      now() - (g % 20) * interval '1 day',
      'staff-' || (g % ${STAFF}),
      CASE WHEN s <> 'closed' THEN current_date + (g % 60) - 10 END,
      CASE WHEN g % 97 = 0 AND s <> 'closed' THEN ARRAY['SVDPIDESTADWS'] ELSE ARRAY[]::text[] END
    FROM generate_series(${from}, ${to}) g,
      LATERAL (SELECT (ARRAY[${MUNICIPALITIES.map((m) => `'${m}'`).join(',')}])[1 + g % ${MUNICIPALITIES.length}] AS m,
                      (ARRAY[${BENEFITS.map((b) => `'${b}'`).join(',')}])[1 + (g / 7) % ${BENEFITS.length}] AS b,
                      ${states}[1 + (g * 7919) % 16] AS s) x`);
  const range = `substring(id from 12)::int BETWEEN ${from} AND ${to}`;
  await prisma.$executeRawUnsafe(`
    INSERT INTO application_deadline (application_id, kind, due_date, legal_basis, provisional)
    SELECT id, 'max_time_to_resolve', next_deadline + 20, ARRAY['Llei 39/2015, art. 21'], false
      FROM application WHERE closed_at IS NULL AND ${range}
    UNION ALL
    SELECT id, 'document_request', next_deadline, ARRAY['Llei 39/2015, art. 68.1'], false
      FROM application WHERE state = 'awaiting_documents' AND ${range}`);
  await prisma.$executeRawUnsafe(`
    INSERT INTO application_task (application_id, kind, assignee, created_on, sla_date, overdue)
    SELECT id, CASE state WHEN 'assessment' THEN 'assessment_report' ELSE 'resolution' END, assignee,
      next_deadline - 10, next_deadline - 3, next_deadline - 3 < current_date
      FROM application WHERE state IN ('assessment', 'proposed') AND ${range}`);
  await prisma.$executeRawUnsafe(`
    INSERT INTO application_event (application_id, event_key, type, from_state, to_state, occurred_at)
    SELECT id, 'registered', 'registered', 'submitted', 'registered', registered_at FROM application WHERE ${range}
    UNION ALL
    SELECT id, 'moved', 'moved', 'registered', state, updated_at FROM application WHERE ${range}
    UNION ALL
    SELECT id, 'reminder', 'reminder_sent', NULL, NULL, updated_at FROM application WHERE ${range}`);
  await prisma.$executeRawUnsafe('ANALYZE');
}

/** The list's filters, as GET /applications turns them into SQL (api/routes/applications.ts). */
const LIST_QUERIES: Record<string, string> = {
  'no filter': `SELECT * FROM application WHERE municipality_code IN ('08305','08112') ORDER BY id LIMIT 21`,
  state: `SELECT * FROM application WHERE municipality_code IN ('08305') AND state = 'assessment' ORDER BY id LIMIT 21`,
  benefit: `SELECT * FROM application WHERE municipality_code IN ('08305') AND benefit_code = 'RENT' ORDER BY id LIMIT 21`,
  assignee: `SELECT * FROM application WHERE municipality_code IN ('08305') AND assignee = 'staff-7' ORDER BY id LIMIT 21`,
  deadlineBefore: `SELECT * FROM application WHERE municipality_code IN ('08305') AND next_deadline <= current_date ORDER BY id LIMIT 21`,
  blocked: `SELECT * FROM application WHERE municipality_code IN ('08305') AND blocked_on <> '{}' ORDER BY id LIMIT 21`,
  cursor: `SELECT * FROM application WHERE municipality_code IN ('08305') AND id > '08305-2026-005000' ORDER BY id LIMIT 21`,
};

async function plans(prisma: PrismaClient): Promise<Record<string, { indexed: boolean; plan: string }>> {
  const out: Record<string, { indexed: boolean; plan: string }> = {};
  for (const [name, sql] of Object.entries(LIST_QUERIES)) {
    const rows = await prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${sql}`);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    out[name] = {
      indexed: /Index (Only )?Scan|Bitmap Index Scan/.test(plan) && !/Seq Scan on application\b/.test(plan),
      plan,
    };
  }
  return out;
}

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
    // A fixed number of requests for the slow scan, so none is left running into the next measurement.
    ...(amount ? { amount, timeout: 600 } : { duration: seconds }),
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
  // Every stuck request scans (no sharing), so what is measured is the scan itself.
  const stack = await startBenchStack('growth', { worker: false, env: { STUCK_CACHE_SECONDS: '0' } });
  const endpoints: Record<string, string[]> = {
    list: [
      '/applications?limit=20',
      '/applications?state=assessment&limit=20',
      '/applications?benefit=RENT&municipality=08305&limit=20',
      '/applications?assignee=staff-7&limit=20',
      '/applications?blocked=true&limit=20',
    ],
    deadlines: ['/coordination/deadlines', '/coordination/deadlines?bucket=overdue'],
    stuck: ['/coordination/stuck'],
  };
  try {
    const measured: Record<string, Record<string, Awaited<ReturnType<typeof p99>>>> = {};
    const explained: Record<string, Awaited<ReturnType<typeof plans>>> = {};
    for (const [size, from] of [
      [small, 1],
      [large, small + 1],
    ] as const) {
      await seed(stack.prisma, from, size);
      explained[size] = await plans(stack.prisma);
      measured[size] = {};
      for (const [name, paths] of Object.entries(endpoints))
        measured[size][name] =
          name === 'stuck'
            ? await p99(stack.apiUrl, paths, stack.token, seconds, 1, 3)
            : await p99(stack.apiUrl, paths, stack.token, seconds, connections);
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
      what: `list filters using an index at ${large} cases`,
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
