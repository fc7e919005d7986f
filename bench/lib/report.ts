/**
 * Benchmark figures: printed, and written as JSON to bench/results/<name>.json with the machine they came
 * from, so docs/benchmarks.md can say where each figure was measured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeTemporal } from '../../scripts/dev/temporal-choice';

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    temporal: describeTemporal(process.env),
  };
}

export interface Figure {
  what: string;
  value: number | string;
  unit?: string;
  /** The ceiling or target it is compared with, when there is one. */
  target?: string;
  met?: boolean;
}

export function report(name: string, figures: Figure[], extra: Record<string, unknown> = {}): void {
  const out = { benchmark: name, at: new Date().toISOString(), machine: machine(), figures, ...extra };
  const dir = path.resolve(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\n== ${name} (${out.machine.cores} × ${out.machine.cpu}) ==`);
  for (const f of figures) {
    const verdict = f.met === undefined ? '' : f.met ? '  ✓' : '  ✗';
    console.log(
      `  ${f.what.padEnd(60)} ${String(f.value).padStart(10)} ${f.unit ?? ''}${f.target ? `   (target ${f.target})` : ''}${verdict}`,
    );
  }
}

/** Latency percentiles (ms) of a list of samples, nearest rank. */
export function percentiles(samples: number[]): { p50: number; p95: number; p99: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN;
  const r = (v: number) => Math.round(v * 10) / 10;
  return { p50: r(at(0.5)), p95: r(at(0.95)), p99: r(at(0.99)), max: r(s.at(-1) ?? NaN) };
}

/** Runs `fn` in `concurrency` loops until `durationMs` has passed; returns the number of calls and errors. */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  fn: (worker: number, i: number) => Promise<void>,
): Promise<{ calls: number; errors: number; firstErrors: string[]; elapsedMs: number }> {
  const started = Date.now();
  let calls = 0;
  let errors = 0;
  const firstErrors: string[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; Date.now() - started < durationMs; i++) {
        try {
          await fn(w, i);
          calls++;
        } catch (err) {
          errors++;
          if (firstErrors.length < 5) firstErrors.push(String(err).slice(0, 300));
        }
      }
    }),
  );
  return { calls, errors, firstErrors, elapsedMs: Date.now() - started };
}

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number(process.env[`BENCH_${name.toUpperCase()}`]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Who used the CPU during the measured phase, as figures (seconds, and share of one core). */
export function cpuFigures(shares: { part: string; seconds: number; percentOfCore: number }[]): Figure[] {
  return shares.map((s) => ({
    what: `CPU: ${s.part} (${s.percentOfCore} % of a core)`,
    value: s.seconds,
    unit: 's',
  }));
}

/**
 * Runs a benchmark as a script: once its figures are written nothing it started may keep it alive, so it
 * exits (1 on failure, with the error).
 */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
