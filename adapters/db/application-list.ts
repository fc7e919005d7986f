import { Prisma } from '../../generated/prisma/client';
import type { PrismaClient } from '../../generated/prisma/client';

/** The filters of GET /applications, as the projection stores them. */
export interface ApplicationListFilters {
  state?: string | undefined;
  benefitCode?: string | undefined;
  assignee?: string | undefined;
  /** Cases whose next running deadline falls on or before this day (YYYY-MM-DD). */
  deadlineBefore?: string | undefined;
  /** Cases waiting on an unavailable registry (true), or not (false). */
  blocked?: boolean | undefined;
}

export interface ApplicationListPage {
  /** Municipalities to read, in any order. */
  municipalities: readonly string[];
  filters: ApplicationListFilters;
  /** The last application number of the previous page. */
  after?: string | undefined;
  /** Rows to return: the page's size and one more, to tell whether a next page exists. */
  take: number;
}

export interface ApplicationListRow {
  id: string;
  municipality_code: string;
  benefit_code: string;
  state: string;
  applicant_name: string;
  assignee: string | null;
  submitted_at: Date;
  next_deadline: Date | null;
  blocked_on: string[];
  updated_at: Date;
}

/**
 * The list's query, in application-number order. An application number begins with its municipality's code,
 * so each municipality is a range of one of the list's indexes ((municipality, id), (municipality, state, id),
 * ...), read in that order only up to the page's end; an `IN (...)` over several municipalities cannot stop
 * early and sorted every match (the p99 grew 3.8× from 10,000 to 100,000 cases). The municipalities are
 * read in one statement (LATERAL over the scope) rather than one query each: a coordinator of seven
 * municipalities paid seven round trips per page, which cut the list's rate to less than half.
 *
 * The blocked filter is written as the partial index `application_blocked_idx` states it, so that the
 * planner can use it.
 */
export function applicationListQuery(page: ApplicationListPage): Prisma.Sql {
  const f = page.filters;
  const conditions = [
    Prisma.sql`a.municipality_code = m`,
    ...(f.state ? [Prisma.sql`a.state = ${f.state}`] : []),
    ...(f.benefitCode ? [Prisma.sql`a.benefit_code = ${f.benefitCode}`] : []),
    ...(f.assignee ? [Prisma.sql`a.assignee = ${f.assignee}`] : []),
    ...(f.deadlineBefore ? [Prisma.sql`a.next_deadline <= ${f.deadlineBefore}::date`] : []),
    ...(f.blocked === true ? [Prisma.sql`a.blocked_on <> '{}'::text[]`] : []),
    ...(f.blocked === false ? [Prisma.sql`a.blocked_on = '{}'::text[]`] : []),
    ...(page.after ? [Prisma.sql`a.id > ${page.after}`] : []),
  ];
  return Prisma.sql`
    SELECT x.* FROM unnest(${[...page.municipalities]}::text[]) AS m, LATERAL (
      SELECT a.id, a.municipality_code, a.benefit_code, a.state, a.applicant_name, a.assignee,
             a.submitted_at, a.next_deadline, a.blocked_on, a.updated_at
        FROM application a
       WHERE ${Prisma.join(conditions, ' AND ')}
       ORDER BY a.id
       LIMIT ${page.take}) x
    ORDER BY x.id
    LIMIT ${page.take}`;
}

export function listApplicationRows(
  prisma: PrismaClient,
  page: ApplicationListPage,
): Promise<ApplicationListRow[]> {
  return prisma.$queryRaw<ApplicationListRow[]>(applicationListQuery(page));
}
