/**
 * The office's running deadlines by date (overdue, today, this week, later), read from the projection's
 * index of running deadlines one municipality at a time, so the answer costs the same at any office size.
 */
import { endOfWeek, fromUtcDate, officeDateOf, plusDays } from '../../domain/dates';
import type { IsoDate } from '../../domain/dates';
import { Prisma } from '../../generated/prisma/client';
import type { PrismaClient } from '../../generated/prisma/client';

/** A DATE column (UTC midnight) as the day it holds. */
const day = fromUtcDate;

export type DeadlineBucket = 'overdue' | 'today' | 'this_week' | 'later';

/** Which deadlines, and which page of them. */
export interface OfficeDeadlinesOptions {
  bucket?: DeadlineBucket | undefined;
  kind?: string | undefined;
  limit: number;
  after?: DeadlineCursor | undefined;
}
export interface DeadlineCursor {
  dueDate: IsoDate;
  applicationId: string;
  kind: string;
}
/** Overdue and due-today deadlines are counted up to this many: beyond it the page says "more than". */
export const DEADLINE_COUNT_CAP = 1000;

/**
 * The office's running deadlines by date, a page at a time (sorted by due date, then case and kind), with
 * how many are overdue and due today (counted up to a cap, so the answer costs the same whatever the
 * office's size).
 */
export async function officeDeadlines(
  prisma: PrismaClient,
  municipalities: readonly string[],
  opts: OfficeDeadlinesOptions,
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
}
