import { Router } from 'express';
import { CASE_ACTIONS, mayPerform } from '../../../domain/access';
import type { PrismaClient } from '../../../generated/prisma/client';
import { auditIntegrity, auditPage } from '../../../services/audit-trail';
import { noteAudit } from '../../audit';
import { authorize, staffOf } from '../../auth';
import { auditRequest } from './schemas';
import { parseRequest } from '../../validate';

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
    res.json(await auditIntegrity(prisma));
  });

  /** Entries about the caller's municipalities' cases, newest first. */
  router.get('/audit', async (req, res) => {
    const { query } = parseRequest(auditRequest, req);
    noteAudit(res, 'read_audit', query.applicationId);
    const staff = authorize(req, 'read_audit');
    res.json(await auditPage(prisma, staff, query));
  });

  return router;
}
