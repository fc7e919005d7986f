/**
 * The system as it runs in production (scripts/dev/system.ts), for benchmarks: everything under
 * .data/bench/<name>, with the per-person rate limits lifted and the CPU of each part measurable.
 */
import type { RunningSystem, SystemOptions } from '../../scripts/dev/system';
import { startSystem } from '../../scripts/dev/system';
import type { CpuShare } from './cpu';
import { measureCpu } from './cpu';

export { root, rssMiB } from '../../scripts/dev/system';

export type BenchStackOptions = SystemOptions;

export interface BenchStack extends RunningSystem {
  /** Starts measuring the CPU of each part of the stack; call the result at the end of the phase. */
  measureCpu(extra?: Record<string, number | undefined>): () => CpuShare[];
}

export async function startBenchStack(name: string, opts: BenchStackOptions = {}): Promise<BenchStack> {
  const system = await startSystem(`bench/${name}`, {
    ...opts,
    env: {
      TASK_QUEUE: `bench-${name}`,
      // A benchmark is many requests from few people: the per-person limits would measure themselves.
      RATE_LIMIT_PER_MINUTE: '100000',
      ...opts.env,
    },
  });
  return Object.assign(system, {
    measureCpu: (extra: Record<string, number | undefined> = {}) =>
      measureCpu({ ...system.pids(), 'benchmark client': process.pid, ...extra }),
  });
}
