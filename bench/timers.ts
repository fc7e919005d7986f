/**
 * 5. Timer punctuality, and 6b. evicted workflows progress: 10,000 open cases whose deadlines fall within the
 * same few minutes, each a workflow with a durable timer to its deadline followed by the state change written
 * to the projection by the real activity (bench/workflows.ts). The worker keeps at most 1,000 workflows in its
 * cache by default (set explicitly), so nine in ten are evicted while they wait and must be replayed to
 * progress; `--cache 10000` measures a worker sized to hold them all.
 * Measured: none fires early; lateness of the state change (p50, p99, max; target p99 ≤ 2 s); how the worker
 * spreads the wake-ups (state changes per second); the worker's resident memory.
 *
 *   npm run bench -- timers [--cases 10000] [--window 120] [--cache 1000]
 */
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { createProjectionActivities } from '../activities/projection';
import type { RecordTransitionInput } from '../activities/projection';
import { workflowBundleOptions } from '../worker/bundle-options';
import { arg, cpuFigures, percentiles, report, runBenchmark } from './lib/report';
import { rssMiB, startBenchStack } from './lib/stack';

/** How many of the waiting workflows the cache cannot hold, said as a share. */
function evictedShare(cases: number, cache: number): string {
  if (cache >= cases) return 'none';
  return `${Math.round(((cases - cache) / cases) * 100)} %`;
}

async function main(): Promise<void> {
  const cases = arg('cases', 10_000);
  const windowSeconds = arg('window', 120);
  const cache = arg('cache', 1000);
  const stack = await startBenchStack('timers', { worker: false });
  try {
    // The cases, waiting for their documents.
    await stack.prisma.$executeRawUnsafe(`
      INSERT INTO application (id, municipality_code, benefit_code, state, applicant_name, applicant_document,
        submitted_at, effective_filing_date, catalogue_version, registered_at, updated_at)
      SELECT 'B-' || g, '08187', 'URGENCY_FOOD', 'awaiting_documents', 'Persona ' || g, '00000000T',
        now(), current_date, 'bench', now(), now()
      FROM generate_series(1, ${cases}) g`);

    const projection = createProjectionActivities({ prisma: stack.prisma });
    const lateness: number[] = [];
    const doneAt: number[] = [];
    let early = 0;
    const activities = {
      ...projection,
      async recordTransition(input: RecordTransitionInput): Promise<void> {
        await projection.recordTransition(input);
        const due = Number(input.note);
        const now = Date.now();
        if (Date.parse(input.at) < due) early++;
        lateness.push(now - due);
        doneAt.push(now);
      },
    };
    const bundle = await bundleWorkflowCode(workflowBundleOptions(require.resolve('./workflows')));
    const connection = await NativeConnection.connect({ address: stack.temporalAddress });
    const worker = await Worker.create({
      connection,
      namespace: stack.namespace,
      taskQueue: 'bench-timers',
      workflowBundle: bundle,
      activities,
      maxCachedWorkflows: cache,
    });
    const running = worker.run();

    // Start them all, their deadlines spread over the window that opens once every one has started.
    const startedAt = Date.now();
    const assumedStartsPerSecond = 25;
    const windowOpens = startedAt + (cases / assumedStartsPerSecond) * 1000 + 30_000;
    let next = 0;
    let lateStarts = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let i = next++; i < cases; i = next++) {
          const planned = windowOpens + (i * windowSeconds * 1000) / cases;
          // A workflow started after its planned deadline would be late by construction: moved, and counted.
          const dueAtMs = Math.max(planned, Date.now() + 5000);
          if (dueAtMs > planned) lateStarts++;
          await stack.client.workflow.start('deadlineProbeWorkflow', {
            taskQueue: 'bench-timers',
            workflowId: `probe-${i}-${randomUUID()}`,
            args: [{ applicationId: `B-${i + 1}`, dueAtMs }],
          });
        }
      }),
    );
    const startSeconds = (Date.now() - startedAt) / 1000;
    const rssWaiting = rssMiB(process.pid);

    // The CPU of the wake-ups, not of the idle wait before the window opens (minutes when starts are quick).
    while (Date.now() < windowOpens - 1000) await new Promise((r) => setTimeout(r, 250));
    // The benchmark process is the worker here: its CPU is the worker's.
    const cpu = stack.measureCpu();
    let rssPeak = rssWaiting;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssMiB(process.pid));
    }, 500);
    const deadline = windowOpens + windowSeconds * 1000 + 600_000;
    while (lateness.length < cases && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
    clearInterval(sampler);
    const cpuShares = cpu();
    worker.shutdown();
    await running;
    await connection.close();

    const moved = await stack.prisma.application.count({ where: { state: 'proposed' } });
    const p = percentiles(lateness);
    const perSecond = new Map<number, number>();
    for (const t of doneAt)
      perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    const rates = [...perSecond.values()];
    report(
      'timers',
      [
        { what: `workflows started (50 concurrent)`, value: cases, unit: `in ${Math.round(startSeconds)} s` },
        { what: 'deadlines moved because their start came late', value: lateStarts },
        {
          what: `state changes written (of ${cases}; ${evictedShare(cases, cache)} evicted while waiting)`,
          value: moved,
          target: String(cases),
          met: moved === cases,
        },
        { what: 'fired early', value: early, target: '0', met: early === 0 },
        { what: 'lateness of the state change: p50', value: p.p50, unit: 'ms' },
        { what: 'lateness: p99', value: p.p99, unit: 'ms', target: '≤ 2000 ms', met: p.p99 <= 2000 },
        { what: 'lateness: max', value: p.max, unit: 'ms' },
        {
          what: `deadlines per second planned (${cases} over ${windowSeconds} s)`,
          value: Math.round(cases / windowSeconds),
        },
        {
          what: 'state changes per second: median / max',
          value: `${percentiles(rates).p50} / ${Math.max(...rates)}`,
        },
        {
          what: `worker resident memory, ${cases} waiting (maxCachedWorkflows ${cache})`,
          value: rssWaiting,
          unit: 'MiB',
        },
        { what: 'worker resident memory, peak during the wake-ups', value: rssPeak, unit: 'MiB' },
        ...cpuFigures(cpuShares).map((f) => ({
          ...f,
          what: f.what.replace('benchmark client', 'worker (in the benchmark process)'),
        })),
      ],
      { cases, windowSeconds, maxCachedWorkflows: cache },
    );
  } finally {
    await stack.stop();
  }
}

runBenchmark(main);
