/**
 * The audit trail as coordinators and auditors read it: entries about their municipalities' cases, newest
 * first, a page at a time, and the integrity of the whole trail's hash chain (adapters/db/audit-chain.ts).
 */
import { municipalityOfApplication } from '../domain/access';
import type { StaffMember } from '../domain/access';
import { AppError } from '../domain/errors';
import type { PrismaClient } from '../generated/prisma/client';

export { verifyAuditChain as auditIntegrity } from '../adapters/db/audit-chain';

export interface AuditQuery {
  applicationId?: string | undefined;
  staffId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  /** The id of the last entry of the previous page. */
  cursor?: string | undefined;
}

/** A page of the entries about the staff member's municipalities' cases (or one of them), newest first. */
export async function auditPage(prisma: PrismaClient, staff: StaffMember, query: AuditQuery) {
  if (
    query.applicationId &&
    !staff.municipalities.some((m) => m === municipalityOfApplication(query.applicationId!))
  ) {
    throw AppError.notFound('No such application');
  }
  const rows = await prisma.auditEntry.findMany({
    where: {
      ...(query.applicationId
        ? { applicationId: query.applicationId }
        : { OR: staff.municipalities.map((m) => ({ applicationId: { startsWith: `${m}-` } })) }),
      ...(query.staffId ? { staffId: query.staffId } : {}),
      ...(query.from || query.to
        ? {
            at: {
              ...(query.from ? { gte: new Date(query.from) } : {}),
              ...(query.to ? { lt: new Date(query.to) } : {}),
            },
          }
        : {}),
      ...(query.cursor ? { id: { lt: BigInt(query.cursor) } } : {}),
    },
    orderBy: { id: 'desc' },
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((e) => ({
      id: e.id.toString(),
      at: e.at.toISOString(),
      staffId: e.staffId,
      action: e.action,
      method: e.method,
      path: e.path,
      applicationId: e.applicationId,
      status: e.status,
      ip: e.ip,
    })),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id.toString() ?? null) : null,
  };
}
