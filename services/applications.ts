/**
 * Reading cases: a page of the projection's list, one case's live status (from its workflow, bounded) beside
 * its projection, and the projection's deadlines, timeline and professional notes of a case. The caller has
 * checked the person may read the case (its municipality, and for notes the role).
 */
import { municipalityOfApplication } from '../domain/access';
import { AppError } from '../domain/errors';
import { listApplicationRows } from '../adapters/db/application-list';
import type { ApplicationListFilters } from '../adapters/db/application-list';
import type { CaseClient } from '../adapters/temporal/case-client';
import type { PrismaClient } from '../generated/prisma/client';
import { statusQuery } from '../workflows/messages';

export interface ApplicationReadDeps {
  prisma: PrismaClient;
  cases: CaseClient;
}

const dateOnly = (d: Date | null): string | null => (d ? d.toISOString().slice(0, 10) : null);

/**
 * A page of the applications of these municipalities, in number order after `after`, filtered; `next` is the
 * last application of the page when more follow.
 */
export async function listApplications(
  deps: Pick<ApplicationReadDeps, 'prisma'>,
  page: { municipalities: readonly string[]; filters: ApplicationListFilters; after?: string; limit: number },
) {
  // Municipalities wholly before the cursor have nothing left for this page.
  const after = page.after;
  const municipalities = page.municipalities.filter((m) => !after || m >= municipalityOfApplication(after));
  const rows = await listApplicationRows(deps.prisma, {
    municipalities,
    filters: page.filters,
    after,
    take: page.limit + 1,
  });
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map((a) => ({
      applicationId: a.id,
      municipalityCode: a.municipality_code,
      benefitCode: a.benefit_code,
      state: a.state,
      applicantName: a.applicant_name,
      assignee: a.assignee,
      submittedAt: a.submitted_at.toISOString(),
      nextDeadline: dateOnly(a.next_deadline),
      blockedOn: a.blocked_on,
      updatedAt: a.updated_at.toISOString(),
    })),
    next: rows.length > page.limit && last ? last.id : undefined,
  };
}

/**
 * The case's live status from its workflow (within CASE_READ_TIMEOUT_SECONDS: a case no worker processes now
 * answers 503 with Retry-After), with its projection's row as the lists see it.
 */
export async function readApplication(deps: ApplicationReadDeps, id: string) {
  const [status, view] = await Promise.all([
    deps.cases.read(id, statusQuery),
    deps.prisma.application.findUnique({ where: { id } }),
  ]);
  return {
    ...status,
    projection: view
      ? {
          state: view.state,
          updatedAt: view.updatedAt.toISOString(),
          nextDeadline: dateOnly(view.nextDeadline),
          blockedOn: view.blockedOn,
        }
      : null,
  };
}

/** The case must exist (in the projection) for its reads; another municipality's case does not. */
async function projected(deps: Pick<ApplicationReadDeps, 'prisma'>, id: string): Promise<void> {
  const view = await deps.prisma.application.findUnique({ where: { id }, select: { id: true } });
  if (!view) throw AppError.notFound('No such application');
}

/** The case's running deadlines, by due date, each with its legal basis. */
export async function applicationDeadlines(deps: Pick<ApplicationReadDeps, 'prisma'>, id: string) {
  await projected(deps, id);
  const rows = await deps.prisma.applicationDeadline.findMany({
    where: { applicationId: id },
    orderBy: { dueDate: 'asc' },
  });
  return {
    applicationId: id,
    deadlines: rows.map((d) => ({
      kind: d.kind,
      dueDate: dateOnly(d.dueDate),
      legalBasis: d.legalBasis,
      provisional: d.provisional,
      pausedSince: dateOnly(d.pausedSince),
    })),
  };
}

/** Every step of the case, with who took it and when. */
export async function applicationHistory(deps: Pick<ApplicationReadDeps, 'prisma'>, id: string) {
  await projected(deps, id);
  const rows = await deps.prisma.applicationEvent.findMany({
    where: { applicationId: id },
    orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
  });
  return {
    applicationId: id,
    events: rows.map((e) => ({
      at: e.occurredAt.toISOString(),
      type: e.type,
      from: e.fromState,
      to: e.toState,
      actor: e.actor,
      ...(e.detail === null ? {} : { detail: e.detail }),
    })),
  };
}

/** The professional notes of the case (social workers' and technical staff's; never administrative staff's). */
export async function professionalNotes(deps: Pick<ApplicationReadDeps, 'prisma'>, id: string) {
  await projected(deps, id);
  const rows = await deps.prisma.professionalNote.findMany({
    where: { applicationId: id },
    orderBy: { createdAt: 'asc' },
  });
  return {
    applicationId: id,
    notes: rows.map((n) => ({
      id: n.id,
      kind: n.kind,
      author: n.authorId,
      text: n.text,
      at: n.createdAt.toISOString(),
    })),
  };
}
