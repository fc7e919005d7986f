/**
 * 6. Capacity and memory: 10,000 open application workflows, each waiting on a durable timer, on this
 * machine, with the worker's workflow cache set explicitly (maxCachedWorkflows 1000: nine cases in ten are
 * evicted while they wait); then their timers fire and every case goes on, replayed from its history, as
 * the projection shows.
 *
 * The timer is the application workflow's own: the registry simulator answers the padró consultation
 * asynchronously ("answer expected in N minutes", as the PCI/SCSP platform does), and the workflow waits for
 * it on a durable timer before asking again. The worker serves Temporal's metrics, read for its cache.
 *
 *   npm run bench -- capacity [--cases 10000] [--cache 1000] [--answer-minutes 30] [--concurrency 20]
 */
import { freePort } from '../scripts/dev/ports';
import { arg, cpuFigures, report, runBenchmark } from './lib/report';
import { rssMiB, startBenchStack } from './lib/stack';

/** The value of one metric (summed over its label sets) in Prometheus' text format. */
function metric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const [series = '', value] = line.split(' ');
    if (series.replace(/\{.*$/, '') === name) sum += Number(value);
  }
  return sum;
}

async function main(): Promise<void> {
  const cases = arg('cases', 10_000);
  const cache = arg('cache', 1000);
  const answerMinutes = arg('answer-minutes', 30);
  const concurrency = arg('concurrency', 20);
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  const stack = await startBenchStack('capacity', {
    registries: true,
    env: { WORKER_MAX_CACHED_WORKFLOWS: String(cache), WORKER_METRICS_ADDRESS: metricsAddress },
  });
  const workerPid = stack.worker?.pid;
  if (!workerPid || !stack.registryUrl)
    throw new Error('the capacity benchmark needs its worker and registries');
  const metrics = async (): Promise<string> => (await fetch(`http://${metricsAddress}/metrics`)).text();
  try {
    const fault = await fetch(`${stack.registryUrl}/admin/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'PADRO', async: { polls: 1, estimatedHours: answerMinutes / 60 } }),
    });
    if (!fault.ok) throw new Error(`simulator fault: HTTP ${fault.status} ${await fault.text()}`);

    let rssPeak = 0;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssMiB(workerPid));
    }, 2000);

    // A call for applications: every case through the API, each by another person.
    let next = 0;
    let filingErrors = 0;
    const firstErrors: string[] = [];
    const filingStarted = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < cases; i = next++) {
          const res = await stack.file(50_000_000 + i).catch((err: unknown) => err as Error);
          if (res instanceof Error || res.status !== 201) {
            filingErrors++;
            if (firstErrors.length < 5)
              firstErrors.push(
                res instanceof Error ? res.message : `HTTP ${res.status}: ${await res.text()}`,
              );
          }
        }
      }),
    );
    const filingSeconds = (Date.now() - filingStarted) / 1000;
    const open = await stack.prisma.application.count();
    console.log(`${open} cases filed; waiting until every one waits on its registry timer`);

    // Every case waits on its timer once its padró consultation is pending (or already answered, for the
    // first ones when filing took longer than the answer's estimate).
    const started = Date.now();
    let waiting = 0;
    let mostWaiting = { count: 0, rss: 0, cacheSize: 0 };
    for (;;) {
      const [pending, answered] = await Promise.all([
        stack.prisma.registryConsultation.count({ where: { service: 'PADRO', status: 'pending' } }),
        stack.prisma.registryConsultation.count({ where: { service: 'PADRO', status: { not: 'pending' } } }),
      ]);
      waiting = pending;
      if (pending > mostWaiting.count) {
        mostWaiting = {
          count: pending,
          rss: rssMiB(workerPid),
          cacheSize: metric(await metrics(), 'temporal_sticky_cache_size'),
        };
      }
      if (pending + answered >= open || Date.now() - started > 3 * 3600_000) break;
      await new Promise((r) => setTimeout(r, 5000));
    }
    const allWaitingSeconds = (Date.now() - started) / 1000;
    console.log(`${waiting} waiting on their timers; now waiting for the timers to fire`);

    const cpu = stack.measureCpu();
    // Then the timers fire: each case asks again, takes the answer and goes on to ask for its documents.
    const deadline = Date.now() + (answerMinutes + 60) * 60_000;
    let wentOn = 0;
    for (;;) {
      wentOn = await stack.prisma.application.count({
        where: { state: { notIn: ['submitted', 'registered'] } },
      });
      if (wentOn >= open || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 5000));
    }
    clearInterval(sampler);
    const cpuShares = cpu();
    const answered = await stack.prisma.registryConsultation.count({
      where: { service: 'PADRO', status: { not: 'pending' } },
    });
    const finalMetrics = await metrics();
    const evictions =
      metric(finalMetrics, 'temporal_sticky_cache_total_forced_eviction_total') ||
      metric(finalMetrics, 'temporal_sticky_cache_total_forced_eviction');
    const cacheSize = metric(finalMetrics, 'temporal_sticky_cache_size');

    report(
      'capacity',
      [
        { what: 'cases filed through the API', value: open, target: String(cases), met: open === cases },
        { what: `filing (${concurrency} concurrent)`, value: Math.round(filingSeconds), unit: 's' },
        { what: 'filing errors', value: filingErrors, target: '0', met: filingErrors === 0 },
        {
          what: `most cases waiting on a durable timer at once (answer in ${answerMinutes} min)`,
          value: mostWaiting.count,
        },
        {
          what: `worker resident memory then (maxCachedWorkflows ${cache})`,
          value: mostWaiting.rss,
          unit: 'MiB',
        },
        { what: 'workflows in the worker cache then', value: mostWaiting.cacheSize },
        { what: 'worker resident memory, peak over the run', value: rssPeak, unit: 'MiB' },
        {
          what: 'time from the last filing to every case waiting or answered',
          value: allWaitingSeconds,
          unit: 's',
        },
        { what: 'cache evictions forced by the cache limit (Temporal worker metric)', value: evictions },
        {
          what: 'cases whose timer fired and who went on (asked again, took the answer)',
          value: answered,
          target: String(open),
          met: answered === open,
        },
        {
          what: 'cases past registration (documents asked, or assessment)',
          value: wentOn,
          target: String(open),
          met: wentOn === open,
        },
        { what: 'workflows in the worker cache at the end', value: cacheSize },
        ...cpuFigures(cpuShares),
      ],
      { cases, maxCachedWorkflows: cache, answerMinutes, concurrency, firstErrors },
    );
  } finally {
    await stack.stop();
  }
}

runBenchmark(main);
