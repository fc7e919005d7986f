/**
 * 1. Intake throughput: applications accepted end to end (POST /applications → workflow started → projection
 * row written) per second, beside the raw rate of starting a no-op workflow on the same server from the same
 * machine, both at the same concurrency. Target: at least half the raw rate, no errors, for 5 minutes.
 *
 *   npm run bench -- intake [--seconds 300] [--concurrency 20]
 */
import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { arg, closedLoop, cpuFigures, report, runBenchmark } from './lib/report';
import { startBenchStack } from './lib/stack';
import { workflowBundleOptions } from '../worker/bundle-options';

async function main(): Promise<void> {
  const seconds = arg('seconds', 300);
  const concurrency = arg('concurrency', 20);
  const stack = await startBenchStack('intake', { registries: true });
  try {
    // The ceiling: starting a workflow that does nothing, with a worker of its own completing them.
    const bundle = await bundleWorkflowCode(workflowBundleOptions(require.resolve('./workflows')));
    const connection = await NativeConnection.connect({ address: stack.temporalAddress });
    const raw = await Worker.create({
      connection,
      namespace: stack.namespace,
      taskQueue: 'bench-raw',
      workflowBundle: bundle,
    });
    const running = raw.run();
    const rawSeconds = Math.min(seconds, 60);
    const ceiling = await closedLoop(concurrency, rawSeconds * 1000, async () => {
      await stack.client.workflow.start('noopWorkflow', { taskQueue: 'bench-raw', workflowId: randomUUID() });
    });
    raw.shutdown();
    await running;
    await connection.close();
    const rawRate = ceiling.calls / (ceiling.elapsedMs / 1000);

    // Intake through the API, each application by another person (one open application per household).
    const accepted: string[] = [];
    let person = 30_000_000;
    const started = Date.now();
    const cpu = stack.measureCpu();
    const intake = await closedLoop(concurrency, seconds * 1000, async () => {
      const res = await stack.file(++person);
      if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      accepted.push(((await res.json()) as { applicationId: string }).applicationId);
    });
    // Accepted means listed: the projection row is written by the filing request itself.
    const acceptedRate = accepted.length / (intake.elapsedMs / 1000);
    const cpuShares = cpu();
    const written = await stack.prisma.application.count();
    // Then the worker registers each case (registries consulted, documents asked for): its backlog drains.
    let registered = 0;
    // Bounded: the backlog of a 5-minute intake takes the worker far longer than that; what is left is reported.
    const drainDeadline = Date.now() + 120_000;
    for (;;) {
      registered = await stack.prisma.application.count({ where: { registeredAt: { not: null } } });
      if (registered >= accepted.length || Date.now() > drainDeadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const drained = (Date.now() - started) / 1000;
    const registeredRate = registered / drained;
    report(
      'intake',
      [
        {
          what: `raw no-op workflow starts (${concurrency} concurrent, ${rawSeconds} s)`,
          value: Math.round(rawRate),
          unit: '/s',
        },
        {
          what: `applications accepted end to end (${concurrency} concurrent, ${seconds} s)`,
          value: Math.round(acceptedRate * 10) / 10,
          unit: '/s',
          target: `≥ ${Math.round(rawRate / 2)} /s (half the raw rate)`,
          met: acceptedRate >= rawRate / 2,
        },
        { what: 'applications accepted (HTTP 201)', value: accepted.length },
        { what: 'projection rows written when accepted', value: written },
        {
          what: 'errors',
          value: intake.errors,
          target: '0',
          met: intake.errors === 0 && written === accepted.length,
        },
        {
          what: 'cases registered by the worker (registries consulted), sustained',
          value: Math.round(registeredRate * 10) / 10,
          unit: '/s',
        },
        {
          what: 'cases still waiting for registration when measuring stopped',
          value: accepted.length - registered,
        },
        // During the intake phase (the worker registers cases meanwhile, competing for the same cores).
        ...cpuFigures(cpuShares),
      ],
      { firstErrors: intake.firstErrors, seconds, concurrency },
    );
  } finally {
    await stack.stop();
  }
}

runBenchmark(main);
