import { Router } from 'express';
import { CASE_ACTIONS, mayPerform, municipalityOfApplication } from '../../domain/access';
import type { PrismaClient } from '../../generated/prisma/client';
import { verifyAuditChain } from '../../infra/audit-chain';
import { noteAudit } from '../audit';
import { authorize, staffOf } from '../auth';
import { HttpError } from '../errors';
import { auditRequest } from '../schemas';
import { parseRequest } from '../validate';

/** Who the caller is (`/me`), and the audit log for coordinators and auditors (`/audit`). */
export function createStaffRouter({ prisma }: { prisma: PrismaClient }): Router {
  const router = Router();

  router.get('/me', (req, res) => {
    const staff = staffOf(req);
    noteAudit(res, 'me');
    res.json({
      id: staff.id,
      name: staff.name,
      role: staff.role,
      municipalities: staff.municipalities,
      allowedActions: CASE_ACTIONS.filter((a) => mayPerform(staff.role, a)),
    });
  });

  /**
   * The whole trail's hash chain (every municipality's entries form one chain): the answer names positions
   * and problems only, nothing about the entries themselves.
   */
  router.get('/audit/integrity', async (req, res) => {
    noteAudit(res, 'verify_audit');
    authorize(req, 'read_audit');
    res.json(await verifyAuditChain(prisma));
  });

  /** Entries about the caller's municipalities' cases, newest first. */
  router.get('/audit', async (req, res) => {
    const { query } = parseRequest(auditRequest, req);
    noteAudit(res, 'read_audit', query.applicationId);
    const staff = authorize(req, 'read_audit');
    if (
      query.applicationId &&
      !staff.municipalities.some((m) => m === municipalityOfApplication(query.applicationId!))
    ) {
      throw HttpError.notFound('No such application');
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
    res.json({
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
    });
  });

  return router;
}
