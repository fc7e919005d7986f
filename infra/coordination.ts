/**
 * What coordinators look at: which open cases are stuck and why, the office's running deadlines, and the
 * workload. Joins the PostgreSQL projection (steps, deadlines, tasks, reminders) with what the Temporal
 * engine says about each open case (activities retrying, workflow tasks failing), which the projection
 * cannot know and the Temporal UI cannot filter.
 */
import type { Client } from '@temporalio/client';
import { optionalTsToDate } from '@temporalio/common/lib/time';
import type { CalendarData } from '../domain/calendar';
import { createBusinessCalendar } from '../domain/calendar';
import { endOfWeek, officeDateOf, plusDays } from '../domain/dates';
import type { IsoDate } from '../domain/dates';
import { WAITING_ON } from '../domain/application';
import { findStuck } from '../domain/stuck';
import type { CaseSnapshot, StuckFinding, StuckReason, StuckThresholds } from '../domain/stuck';
import { municipalityOfApplication } from '../domain/access';
import { Prisma } from '../generated/prisma/client';
import type { PrismaClient } from '../generated/prisma/client';
import { statusQuery } from '../workflows/messages';

const day = (d: Date): IsoDate => d.toISOString().slice(0, 10);

export type DeadlineBucket = 'overdue' | 'today' | 'this_week' | 'later';
export interface DeadlineCursor {
  dueDate: IsoDate;
  applicationId: string;
  kind: string;
}
/** Case ids per statement when scanning (well under PostgreSQL's 65,535 parameters). */
const ID_SLICE = 5000;

/** Overdue and due-today deadlines are counted up to this many: beyond it the page says "more than". */
export const DEADLINE_COUNT_CAP = 1000;

export interface EngineView {
  pendingActivities: { type: string; attempt: number; lastFailure?: string; since?: string }[];
  workflowTaskAttempt?: number;
}

export interface CoordinationDeps {
  prisma: PrismaClient;
  temporal: Client;
  calendar: CalendarData;
  thresholds: StuckThresholds;
  /** How many workflows are described at once when scanning. */
  describeConcurrency?: number;
  /**
   * Seconds the counts of a whole scan of stuck cases are served before the next scan starts
   * (STUCK_CACHE_SECONDS; see stuckCounts). 0: each call starts one, unless one is running.
   */
  stuckCacheSeconds?: number;
  /** Open cases a page of stuck cases reads at most (STUCK_SCAN_BUDGET, default DEFAULT_SCAN_BUDGET). */
  scanBudget?: number;
}

/** Open cases judged per step of a scan of stuck cases. */
const STEP = 100;
/** Open cases a page of stuck cases reads at most (STUCK_SCAN_BUDGET). */
export const DEFAULT_SCAN_BUDGET = 1000;

export interface StuckPageOptions {
  /** Cases per page. */
  limit: number;
  /** The last case of the previous page (or the last case read, when its budget ran out). */
  after?: string | undefined;
  reason?: StuckReason | undefined;
  benefit?: string | undefined;
  assignee?: string | undefined;
  /** Stuck for at least this many days by one of its findings (the case is shown with all of them). */
  minDays?: number | undefined;
}

export interface StuckPage {
  items: StuckCase[];
  /** Where the next page starts; undefined when the scope has been read to its end. */
  next: string | undefined;
  /** Open cases read for this page. */
  scanned: number;
}

export interface StuckCase {
  applicationId: string;
  municipalityCode: string;
  benefitCode: string;
  state: string;
  assignee: string | null;
  submittedAt: string;
  findings: StuckFinding[];
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
    }),
  );
  return out;
}

export function createCoordination(deps: CoordinationDeps) {
  const { prisma, temporal } = deps;

  /** What the engine reports about one case; an engine that cannot be asked leaves the case to the other rules. */
  async function engineView(applicationId: string): Promise<EngineView | undefined> {
    try {
      const { raw } = await temporal.workflow.getHandle(applicationId).describe();
      return {
        pendingActivities: (raw.pendingActivities ?? []).map((a) => {
          const scheduled = optionalTsToDate(a.scheduledTime);
          return {
            type: a.activityType?.name ?? 'activity',
            attempt: a.attempt ?? 1,
            ...(a.lastFailure?.message ? { lastFailure: a.lastFailure.message.slice(0, 300) } : {}),
            ...(scheduled ? { since: scheduled.toISOString() } : {}),
          };
        }),
        ...(raw.pendingWorkflowTask?.attempt ? { workflowTaskAttempt: raw.pendingWorkflowTask.attempt } : {}),
      };
    } catch {
      return undefined;
    }
  }

  async function unavailableRegistries(applicationId: string) {
    try {
      const status = await temporal.workflow.getHandle(applicationId).query(statusQuery);
      return (status.registries ?? [])
        .filter((r) => r.state === 'unavailable')
        .map((r) => ({ service: r.service, since: r.since }));
    } catch {
      return [];
    }
  }

  type OpenCase = Awaited<ReturnType<typeof openCasesAfter>>[number];

  /**
   * The next `take` open cases of one municipality after `after`, in number order, with the list's filters:
   * each step of a scan reads a range of an index (the open cases', or the benefit's or assignee's) and
   * stops, so its cost does not depend on how many cases the office has.
   */
  function openCasesAfter(
    municipalityCode: string,
    after: string | undefined,
    take: number,
    filters: { benefit?: string | undefined; assignee?: string | undefined },
  ) {
    return prisma.application.findMany({
      where: {
        municipalityCode,
        closedAt: null,
        ...(filters.benefit ? { benefitCode: filters.benefit } : {}),
        ...(filters.assignee ? { assignee: filters.assignee } : {}),
        ...(after ? { id: { gt: after } } : {}),
      },
      include: { task: true, deadlines: true },
      orderBy: { id: 'asc' },
      take,
    });
  }

  /** These open cases against the rules, with what Temporal says about each; the stuck ones, in order. */
  async function evaluate(cases: OpenCase[], now: Date): Promise<StuckCase[]> {
    if (cases.length === 0) return [];
    const allIds = cases.map((c) => c.id);
    // PostgreSQL takes at most 65,535 parameters per statement: the cases are asked about in slices.
    const slices: string[][] = [];
    for (let i = 0; i < allIds.length; i += ID_SLICE) slices.push(allIds.slice(i, i + ID_SLICE));
    const bySlice = await mapLimited(slices, 2, (ids) =>
      Promise.all([
        prisma.applicationEvent.groupBy({
          by: ['applicationId'],
          where: { applicationId: { in: ids }, toState: { not: null } },
          _max: { occurredAt: true },
        }),
        prisma.applicationEvent.findMany({
          where: { applicationId: { in: ids }, type: 'reminder_sent' },
          select: { applicationId: true, occurredAt: true, detail: true },
        }),
        prisma.applicationEvent.groupBy({
          by: ['applicationId'],
          where: { applicationId: { in: ids }, type: 'documents_delivered' },
          _max: { occurredAt: true },
        }),
        prisma.applicationEvent.groupBy({
          by: ['applicationId'],
          where: { applicationId: { in: ids }, type: 'document_request' },
          _max: { occurredAt: true },
        }),
        prisma.applicationEvent.findMany({
          where: { applicationId: { in: ids }, type: 'escalated' },
          orderBy: { occurredAt: 'asc' },
          select: { applicationId: true, occurredAt: true, actor: true, detail: true },
        }),
      ]),
    );
    const changes = bySlice.flatMap((r) => r[0]);
    const reminders = bySlice.flatMap((r) => r[1]);
    const deliveries = bySlice.flatMap((r) => r[2]);
    const requests = bySlice.flatMap((r) => r[3]);
    const escalations = bySlice.flatMap((r) => r[4]);
    // Each case's reminders, found by key rather than by searching every reminder of the office per case.
    const remindersOf = new Map<string, typeof reminders>();
    for (const r of reminders) {
      const list = remindersOf.get(r.applicationId);
      if (list) list.push(r);
      else remindersOf.set(r.applicationId, [r]);
    }
    const lastEscalation = new Map(escalations.map((e) => [e.applicationId, e]));
    const lastChange = new Map(changes.map((c) => [c.applicationId, c._max.occurredAt]));
    const lastDelivery = new Map(deliveries.map((c) => [c.applicationId, c._max.occurredAt]));
    const lastRequest = new Map(requests.map((c) => [c.applicationId, c._max.occurredAt]));
    const engines = await mapLimited(allIds, deps.describeConcurrency ?? 8, engineView);
    const calendars = new Map<string, ReturnType<typeof createBusinessCalendar>>();
    const calendarOf = (m: string) => {
      let c = calendars.get(m);
      if (!c) calendars.set(m, (c = createBusinessCalendar(deps.calendar, [m])));
      return c;
    };
    const today = officeDateOf(now);
    const out: StuckCase[] = [];
    for (const [i, c] of cases.entries()) {
      const documentRequest = c.deadlines.find((d) => d.kind === 'document_request');
      const sent = documentRequest
        ? (remindersOf.get(c.id) ?? []).filter((r) => {
            const detail = r.detail as { deadline?: string; dueDate?: string; audience?: string } | null;
            return (
              detail?.deadline === 'document_request' &&
              detail.audience === 'citizen' &&
              detail.dueDate === day(documentRequest.dueDate)
            );
          })
        : [];
      const requestedAt = lastRequest.get(c.id);
      const deliveredAt = lastDelivery.get(c.id);
      const escalation = lastEscalation.get(c.id);
      const snapshot: CaseSnapshot = {
        applicationId: c.id,
        state: c.state,
        lastChangeAt: (lastChange.get(c.id) ?? c.submittedAt).toISOString(),
        ...(c.task
          ? { task: { kind: c.task.kind, assignee: c.task.assignee, slaDate: day(c.task.slaDate) } }
          : {}),
        deadlines: c.deadlines.map((d) => ({
          kind: d.kind,
          dueDate: day(d.dueDate),
          pausedSince: d.pausedSince ? day(d.pausedSince) : null,
        })),
        ...(sent.length > 0
          ? {
              remedyReminders: {
                count: sent.length,
                lastAt: sent
                  .map((r) => r.occurredAt.toISOString())
                  .sort()
                  .at(-1)!,
              },
            }
          : {}),
        documentsDeliveredSinceRequest: !!(requestedAt && deliveredAt && deliveredAt > requestedAt),
        ...(escalation
          ? {
              escalation: {
                at: escalation.occurredAt.toISOString(),
                by: escalation.actor ?? '',
                reason: ((escalation.detail as { note?: string } | null)?.note ?? '').slice(0, 500),
              },
            }
          : {}),
        ...(c.blockedOn.length > 0 ? { unavailableRegistries: await unavailableRegistries(c.id) } : {}),
        ...(engines[i] ? { engine: engines[i] } : {}),
      };
      const findings = findStuck(snapshot, {
        calendar: calendarOf(c.municipalityCode),
        today,
        nowMs: now.getTime(),
        thresholds: deps.thresholds,
      });
      if (findings.length > 0) {
        out.push({
          applicationId: c.id,
          municipalityCode: c.municipalityCode,
          benefitCode: c.benefitCode,
          state: c.state,
          assignee: c.assignee,
          submittedAt: c.submittedAt.toISOString(),
          findings,
        });
      }
    }
    return out;
  }

  /**
   * Stuck cases in number order from `after`, a municipality at a time: open cases are read and judged in
   * steps of STEP, until the page is full or `budget` cases have been read. A page therefore costs the same
   * at any office size; judging every open case of the office per request (and describing each in Temporal)
   * made the p99 grow 8× from 10,000 to 100,000 cases. When the budget runs out first the page may be short,
   * even empty, and `next` says where the following one starts.
   */
  async function walk(
    municipalities: readonly string[],
    opts: StuckPageOptions,
    budget: number,
    now: Date,
  ): Promise<StuckPage> {
    const items: StuckCase[] = [];
    let after = opts.after;
    let scanned = 0;
    const scope = [...municipalities].filter((m) => !after || m >= municipalityOfApplication(after)).sort();
    const wanted = (c: StuckCase): StuckCase | undefined => {
      const findings = opts.reason ? c.findings.filter((f) => f.reason === opts.reason) : c.findings;
      const longEnough =
        opts.minDays === undefined ||
        findings.some((f) => !!f.since && now.getTime() - Date.parse(f.since) >= opts.minDays! * 86_400_000);
      return findings.length > 0 && longEnough ? { ...c, findings } : undefined;
    };
    for (const municipality of scope) {
      for (;;) {
        const take = Math.min(STEP, budget - scanned);
        if (take <= 0) return { items, next: after, scanned };
        const cases = await openCasesAfter(municipality, after, take, opts);
        scanned += cases.length;
        for (const found of await evaluate(cases, now)) {
          const item = wanted(found);
          if (!item) continue;
          items.push(item);
          // The next page starts after the last case shown (those judged beyond it are judged again then).
          if (items.length >= opts.limit) return { items, next: item.applicationId, scanned };
        }
        after = cases.at(-1)?.id ?? after;
        if (cases.length < take) break; // this municipality is done
      }
    }
    return { items, next: undefined, scanned };
  }

  const counted = new Map<string, { at: number; counts: Record<string, number> }>();
  const counting = new Set<string>();

  return {
    /** A page of the stuck cases of these municipalities, reading at most `scanBudget` open cases. */
    stuckPage(
      municipalities: readonly string[],
      opts: StuckPageOptions,
      now = new Date(),
    ): Promise<StuckPage> {
      return walk(municipalities, opts, deps.scanBudget ?? DEFAULT_SCAN_BUDGET, now);
    },

    /** Every stuck case of these municipalities: a whole scan, whose cost grows with the office. */
    async stuck(municipalities: readonly string[], now = new Date()): Promise<StuckCase[]> {
      return (await walk(municipalities, { limit: Infinity }, Infinity, now)).items;
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
        void walk(municipalities, { limit: Infinity }, Infinity, new Date())
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
    async deadlines(
      municipalities: readonly string[],
      opts: {
        bucket?: DeadlineBucket | undefined;
        kind?: string | undefined;
        limit: number;
        after?: DeadlineCursor | undefined;
      },
      now = new Date(),
    ) {
      const today = officeDateOf(now);
      const weekEnd = endOfWeek(today);
      const range: Record<DeadlineBucket, Prisma.Sql> = {
        overdue: Prisma.sql`d.due_date < ${today}::date`,
        today: Prisma.sql`d.due_date = ${today}::date`,
        this_week: Prisma.sql`d.due_date BETWEEN ${plusDays(today, 1)}::date AND ${weekEnd}::date`,
        later: Prisma.sql`d.due_date > ${weekEnd}::date`,
      };
      // The running deadlines of one municipality `m` (bound by the caller), with the filters asked for; the
      // page adds that the case is open, the counts need not (see cappedCount).
      const running = (...more: Prisma.Sql[]) =>
        Prisma.join(
          [
            Prisma.sql`d.municipality_code = m`,
            Prisma.sql`d.paused_since IS NULL`,
            ...(opts.kind ? [Prisma.sql`d.kind = ${opts.kind}`] : []),
            ...more,
          ],
          ' AND ',
        );
      const after = opts.after;
      // One municipality at a time (LATERAL over the scope): each is a range of the index (municipality, due
      // date, case, kind) of running deadlines, read in order only up to the page's end, or to the cap when
      // counting, and the few rows merged. Joining every open case of all the municipalities and sorting
      // instead made the cost grow with the office (p99 2.1× from 10,000 to 100,000 cases). The cursor is a
      // row comparison, which the index can seek to.
      const rows = await prisma.$queryRaw<
        {
          application_id: string;
          kind: string;
          due_date: Date;
          legal_basis: string[];
          provisional: boolean;
          municipality_code: string;
          benefit_code: string;
          assignee: string | null;
          state: string;
        }[]
      >`
        SELECT x.* FROM unnest(${[...municipalities]}::text[]) AS m, LATERAL (
          SELECT d.application_id, d.kind, d.due_date, d.legal_basis, d.provisional,
                 a.municipality_code, a.benefit_code, a.assignee, a.state
            FROM application_deadline d JOIN application a ON a.id = d.application_id
           WHERE ${running(
             Prisma.sql`a.closed_at IS NULL`,
             ...(opts.bucket ? [range[opts.bucket]] : []),
             ...(after
               ? [
                   Prisma.sql`(d.due_date, d.application_id, d.kind) > (${after.dueDate}::date, ${after.applicationId}, ${after.kind})`,
                 ]
               : []),
           )}
           ORDER BY d.due_date, d.application_id, d.kind
           LIMIT ${opts.limit + 1}) x
        ORDER BY x.due_date, x.application_id, x.kind
        LIMIT ${opts.limit + 1}`;
      const bucketOf = (due: IsoDate): DeadlineBucket =>
        due < today ? 'overdue' : due === today ? 'today' : due <= weekEnd ? 'this_week' : 'later';
      // Counted from the index alone: the projection removes a case's deadlines when it closes, so the join
      // to every counted case (most of the cost, growing with the office) is not needed here.
      const cappedCount = (bucket: DeadlineBucket) => Prisma.sql`(
        SELECT count(*)::int FROM (
          SELECT 1 FROM application_deadline d
           WHERE ${running(range[bucket])} LIMIT ${DEADLINE_COUNT_CAP + 1}) c)`;
      const counts = await prisma.$queryRaw<{ overdue: number; today: number }[]>`
        SELECT ${cappedCount('overdue')} AS overdue, ${cappedCount('today')} AS today
          FROM unnest(${[...municipalities]}::text[]) AS m`;
      const overdue = counts.reduce((n, c) => n + c.overdue, 0);
      const dueToday = counts.reduce((n, c) => n + c.today, 0);
      const page = rows.slice(0, opts.limit);
      const last = page.at(-1);
      return {
        items: page.map((d) => {
          const due = day(d.due_date);
          return {
            applicationId: d.application_id,
            kind: d.kind,
            dueDate: due,
            bucket: bucketOf(due),
            legalBasis: d.legal_basis,
            provisional: d.provisional,
            municipalityCode: d.municipality_code,
            benefitCode: d.benefit_code,
            assignee: d.assignee,
            state: d.state,
          };
        }),
        counts: {
          overdue: Math.min(overdue, DEADLINE_COUNT_CAP),
          today: Math.min(dueToday, DEADLINE_COUNT_CAP),
          capped: overdue > DEADLINE_COUNT_CAP || dueToday > DEADLINE_COUNT_CAP,
        },
        next:
          rows.length > opts.limit && last
            ? { dueDate: day(last.due_date), applicationId: last.application_id, kind: last.kind }
            : undefined,
      };
    },

    /** Open cases and tasks per person and per state, and what the cases are waiting on. */
    async workload(municipalities: readonly string[]) {
      const cases = await prisma.application.findMany({
        where: { municipalityCode: { in: [...municipalities] }, closedAt: null },
        select: {
          state: true,
          assignee: true,
          blockedOn: true,
          task: { select: { assignee: true, slaDate: true } },
        },
      });
      const today = officeDateOf(new Date());
      const perPerson = new Map<
        string,
        { assignee: string | null; openCases: number; tasks: number; overdueTasks: number }
      >();
      const perState = new Map<string, number>();
      const waitingOn = { citizen: 0, staff: 0, administration: 0 };
      for (const c of cases) {
        const key = c.assignee ?? '';
        const person = perPerson.get(key) ?? {
          assignee: c.assignee,
          openCases: 0,
          tasks: 0,
          overdueTasks: 0,
        };
        person.openCases++;
        if (c.task) {
          person.tasks++;
          if (day(c.task.slaDate) < today) person.overdueTasks++;
        }
        perPerson.set(key, person);
        perState.set(c.state, (perState.get(c.state) ?? 0) + 1);
        const on = c.blockedOn.length > 0 ? 'administration' : c.task ? 'staff' : WAITING_ON[c.state];
        if (on) waitingOn[on]++;
      }
      return {
        openCases: cases.length,
        perPerson: [...perPerson.values()].sort((a, b) => b.openCases - a.openCases),
        perState: Object.fromEntries([...perState].sort()),
        waitingOn,
      };
    },
  };
}

export type Coordination = ReturnType<typeof createCoordination>;
