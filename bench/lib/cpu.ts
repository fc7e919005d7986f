/**
 * CPU time spent by each part of the stack (Temporal dev server, PostgreSQL, worker, API, the benchmark
 * itself) during a measured phase, from /proc (Linux). On a 2-core machine every part competes for the same
 * cores, so where a latency target is missed the first question is who used the CPU.
 *
 * A part is a process and all its descendants (PostgreSQL's backends are children of the postmaster). Time
 * of descendants that already exited is in their parent's cutime/cstime once reaped, so summing
 * utime+stime+cutime+cstime over the live tree counts every process once.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  pid: number;
  ppid: number;
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(fields[i - 3] ?? 0);
    return { pid, ppid: n(4), ticks: n(14) + n(15) + n(16) + n(17) };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** CPU seconds of each named process tree, now. */
export function cpuSeconds(roots: Record<string, number | undefined>): Record<string, number> {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = readStat(Number(entry));
    if (s) stats.set(s.pid, s);
  }
  const partOf = new Map<number, string>();
  for (const [name, pid] of Object.entries(roots)) if (pid) partOf.set(pid, name);
  const out: Record<string, number> = Object.fromEntries(Object.keys(roots).map((k) => [k, 0]));
  for (const s of stats.values()) {
    let p: ProcStat | undefined = s;
    for (let hops = 0; p && hops < 64; hops++) {
      const name = partOf.get(p.pid);
      if (name) {
        out[name] = (out[name] ?? 0) + s.ticks / TICKS_PER_SECOND;
        break;
      }
      p = stats.get(p.ppid);
    }
  }
  return out;
}

export interface CpuShare {
  part: string;
  seconds: number;
  /** Of one core over the phase (200 % is both cores of a 2-core machine). */
  percentOfCore: number;
}

/** Starts measuring; the returned function gives each part's CPU over the phase, largest first. */
export function measureCpu(roots: Record<string, number | undefined>): () => CpuShare[] {
  const before = cpuSeconds(roots);
  const t0 = performance.now();
  return () => {
    const after = cpuSeconds(roots);
    const wall = (performance.now() - t0) / 1000;
    return Object.keys(roots)
      .map((part) => {
        const seconds = Math.round(((after[part] ?? 0) - (before[part] ?? 0)) * 10) / 10;
        return { part, seconds, percentOfCore: Math.round((seconds / wall) * 100) };
      })
      .sort((a, b) => b.seconds - a.seconds);
  };
}
