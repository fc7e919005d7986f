/**
 * What coordinators look at: which open cases are stuck and why (stuck.ts), the office's running deadlines
 * (deadlines.ts), and the workload (workload.ts), over the municipalities a coordinator works for.
 */
import type { PrismaClient } from '../../generated/prisma/client';
import { officeDeadlines } from './deadlines';
import type { OfficeDeadlinesOptions } from './deadlines';
import { DEFAULT_SCAN_BUDGET, walk } from './stuck';
import type { StuckCase, StuckDeps, StuckPage, StuckPageOptions } from './stuck';
import { workload } from './workload';

export type { DeadlineBucket, DeadlineCursor } from './deadlines';
export type { StuckCase, StuckPage, StuckPageOptions } from './stuck';

export interface CoordinationDeps extends StuckDeps {
  prisma: PrismaClient;
  /**
   * Seconds the counts of a whole scan of stuck cases are served before the next scan starts
   * (STUCK_CACHE_SECONDS; see stuckCounts). 0: each call starts one, unless one is running.
   */
  stuckCacheSeconds?: number;
  /** Open cases a page of stuck cases reads at most (STUCK_SCAN_BUDGET, default DEFAULT_SCAN_BUDGET). */
  scanBudget?: number;
}

export function createCoordination(deps: CoordinationDeps) {
  const counted = new Map<string, { at: number; counts: Record<string, number> }>();
  const counting = new Set<string>();

  return {
    /** A page of the stuck cases of these municipalities, reading at most `scanBudget` open cases. */
    stuckPage(
      municipalities: readonly string[],
      opts: StuckPageOptions,
      now = new Date(),
    ): Promise<StuckPage> {
      return walk(deps, municipalities, opts, deps.scanBudget ?? DEFAULT_SCAN_BUDGET, now);
    },

    /** Every stuck case of these municipalities: a whole scan, whose cost grows with the office. */
    async stuck(municipalities: readonly string[], now = new Date()): Promise<StuckCase[]> {
      return (await walk(deps, municipalities, { limit: Infinity }, Infinity, now)).items;
    },

    /**
     * Stuck cases per reason in these municipalities as of the last whole scan that finished (undefined before
     * the first), starting the next scan in the background when that one is older than `stuckCacheSeconds`.
     * A caller never waits for a scan.
     */
    stuckCounts(
      municipalities: readonly string[],
    ): { at: number; counts: Record<string, number> } | undefined {
      const key = [...municipalities].sort().join(',');
      const last = counted.get(key);
      const ttl = (deps.stuckCacheSeconds ?? 0) * 1000;
      if (!counting.has(key) && (!last || Date.now() - last.at >= ttl)) {
        counting.add(key);
        void walk(deps, municipalities, { limit: Infinity }, Infinity, new Date())
          .then(({ items }) => {
            const counts: Record<string, number> = {};
            for (const c of items) for (const f of c.findings) counts[f.reason] = (counts[f.reason] ?? 0) + 1;
            counted.set(key, { at: Date.now(), counts });
          })
          // A scan that fails (Temporal or PostgreSQL away) leaves the last counts, whose age then shows it.
          .catch(() => undefined)
          .finally(() => counting.delete(key));
      }
      return last;
    },

    /**
     * The office's running deadlines by date, a page at a time (sorted by due date, then case and kind), with
     * how many are overdue and due today (counted up to a cap, so the answer costs the same whatever the
     * office's size).
     */
    deadlines(municipalities: readonly string[], opts: OfficeDeadlinesOptions, now = new Date()) {
      return officeDeadlines(deps.prisma, municipalities, opts, now);
    },

    /** Open cases and tasks per person and per state, and what the cases are waiting on. */
    workload(municipalities: readonly string[]) {
      return workload(deps.prisma, municipalities);
    },
  };
}

export type Coordination = ReturnType<typeof createCoordination>;
