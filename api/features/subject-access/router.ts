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
import { noteAudit, noteAuditedCases } from '../../audit';
import { authorize } from '../../auth';
import { parseRequest } from '../../validate';
import { subjectAccessRequest } from './schemas';

export function createSubjectAccessRouter(deps: SubjectAccessDeps): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    noteAudit(res, 'export_personal_data');
    const { body } = parseRequest(subjectAccessRequest, req);
    const staff = authorize(req, 'export_personal_data');
    const municipalities = [...staff.municipalities];
    const { notice, cases } = await exportPersonalData(deps, body.documentNumber, municipalities);
    // Which cases left the office, and to whom: one audit row each, committed with the request's own row
    // before the answer leaves.
    noteAuditedCases(
      res,
      cases.map((c) => c.applicationId),
    );
    const at = new Date();
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
