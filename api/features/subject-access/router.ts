/**
 * `POST /subject-access-requests`, the right of access (GDPR art. 15): the person's DNI/NIE in the body,
 * never in the URL (URLs end up in proxies' and browsers' logs).
 *
 * Every export is audited: the request's own row (action `export_personal_data`, no document number: the
 * audit trail is append-only and outlives the retention period), and one row per case exported, so the trail
 * says which cases left the office and who took them.
 */
import { Router } from 'express';
import { exportPersonalData } from '../../../services/subject-access';
import type { SubjectAccessDeps } from '../../../services/subject-access';
import type { AuditWriter } from '../../audit';
import { noteAudit } from '../../audit';
import { authorize } from '../../auth';
import { parseRequest } from '../../validate';
import { subjectAccessRequest } from './schemas';

export function createSubjectAccessRouter(deps: SubjectAccessDeps & { audit: AuditWriter }): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    noteAudit(res, 'export_personal_data');
    const { body } = parseRequest(subjectAccessRequest, req);
    const staff = authorize(req, 'export_personal_data');
    const municipalities = [...staff.municipalities];
    const { notice, cases } = await exportPersonalData(deps, body.documentNumber, municipalities);
    // Which cases left the office, and to whom: one audit row each (the request's own row is written too).
    const at = new Date();
    for (const c of cases) {
      deps.audit.write({
        at,
        staffId: staff.id,
        action: 'export_personal_data',
        method: req.method,
        path: req.originalUrl.split('?')[0] ?? req.path,
        applicationId: c.applicationId,
        status: 200,
        ip: req.ip ?? null,
        requestId: typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : null,
      });
    }
    res.setHeader('cache-control', 'no-store');
    res.json({
      documentNumber: body.documentNumber,
      generatedAt: at.toISOString(),
      generatedBy: staff.id,
      municipalities,
      notice,
      cases,
    });
  });

  return router;
}
