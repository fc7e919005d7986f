/**
 * Which open cases are stuck and why: the PostgreSQL projection (steps, deadlines, tasks, reminders) joined
 * with what the Temporal engine says about each open case (activities retrying, workflow tasks failing),
 * which the projection cannot know and the Temporal UI cannot filter, judged by the rules of
 * domain/stuck.ts. Read in bounded steps, so a page costs the same at any office size.
 */
import { optionalTsToDate } from '@temporalio/common/lib/time';
import type { CalendarData } from '../../domain/calendar';
import { createBusinessCalendar } from '../../domain/calendar';
import { fromUtcDate, officeDateOf } from '../../domain/dates';
import { findStuck } from '../../domain/stuck';
import type { CaseSnapshot, StuckFinding, StuckReason, StuckThresholds } from '../../domain/stuck';
import { municipalityOfApplication } from '../../domain/access';
import type { PrismaClient } from '../../generated/prisma/client';
import type { CaseClient } from '../../adapters/temporal/case-client';
import { statusQuery } from '../../workflows/messages';

/** A DATE column (UTC midnight) as the day it holds. */
const day = fromUtcDate;

/** Case ids per statement when scanning (well under PostgreSQL's 65,535 parameters). */
const ID_SLICE = 5000;

export interface EngineView {
  pendingActivities: { type: string; attempt: number; lastFailure?: string; since?: string }[];
  workflowTaskAttempt?: number;
}

export interface StuckDeps {
  prisma: PrismaClient;
  cases: CaseClient;
  calendar: CalendarData;
  thresholds: StuckThresholds;
  /** How many workflows are described at once when scanning. */
  describeConcurrency?: number | undefined;
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

/** What the engine reports about one case; an engine that cannot be asked leaves the case to the other rules. */
async function engineView(deps: StuckDeps, applicationId: string): Promise<EngineView | undefined> {
  try {
    const found = await deps.cases.describe(applicationId);
    if (!found) return undefined;
    const { raw } = found;
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

async function unavailableRegistries(deps: StuckDeps, applicationId: string) {
  try {
    // Bounded as a read of the case is: a case no worker processes now is judged by the other rules.
    const read = await deps.cases.tryRead(applicationId, statusQuery);
    if (!('value' in read)) return [];
    return (read.value.registries ?? [])
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
  deps: StuckDeps,
  municipalityCode: string,
  after: string | undefined,
  take: number,
  filters: { benefit?: string | undefined; assignee?: string | undefined },
) {
  return deps.prisma.application.findMany({
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
async function evaluate(deps: StuckDeps, cases: OpenCase[], now: Date): Promise<StuckCase[]> {
  if (cases.length === 0) return [];
  const allIds = cases.map((c) => c.id);
  // PostgreSQL takes at most 65,535 parameters per statement: the cases are asked about in slices.
  const slices: string[][] = [];
  for (let i = 0; i < allIds.length; i += ID_SLICE) slices.push(allIds.slice(i, i + ID_SLICE));
  const bySlice = await mapLimited(slices, 2, (ids) =>
    Promise.all([
      deps.prisma.applicationEvent.groupBy({
        by: ['applicationId'],
        where: { applicationId: { in: ids }, toState: { not: null } },
        _max: { occurredAt: true },
      }),
      deps.prisma.applicationEvent.findMany({
        where: { applicationId: { in: ids }, type: 'reminder_sent' },
        select: { applicationId: true, occurredAt: true, detail: true },
      }),
      deps.prisma.applicationEvent.groupBy({
        by: ['applicationId'],
        where: { applicationId: { in: ids }, type: 'documents_delivered' },
        _max: { occurredAt: true },
      }),
      deps.prisma.applicationEvent.groupBy({
        by: ['applicationId'],
        where: { applicationId: { in: ids }, type: 'document_request' },
        _max: { occurredAt: true },
      }),
      deps.prisma.applicationEvent.findMany({
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
  const engines = await mapLimited(allIds, deps.describeConcurrency ?? 8, (id) => engineView(deps, id));
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
      ...(c.blockedOn.length > 0 ? { unavailableRegistries: await unavailableRegistries(deps, c.id) } : {}),
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
export async function walk(
  deps: StuckDeps,
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
      const cases = await openCasesAfter(deps, municipality, after, take, opts);
      scanned += cases.length;
      for (const found of await evaluate(deps, cases, now)) {
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
