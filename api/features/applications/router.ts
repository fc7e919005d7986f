/**
 * /applications: filing, the list, a case's status and reads, and the case actions (one route per row of
 * the action table, case-actions.ts). Each route parses, authorises, calls one service and maps its answer.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { worksFor } from '../../../domain/access';
import { AppError } from '../../../domain/errors';
import type { Logger } from '../../../adapters/logger';
import type { ReferenceData } from '../../../adapters/reference-data';
import type { CaseClient } from '../../../adapters/temporal/case-client';
import type { PrismaClient } from '../../../generated/prisma/client';
import {
  applicationDeadlines,
  applicationHistory,
  listApplications,
  professionalNotes,
  readApplication,
} from '../../../services/applications';
import { runCaseAction } from '../../../services/case-actions';
import { fileApplication } from '../../../services/filing';
import { noteAudit } from '../../audit';
import { authorize, authorizeCase, authorizeMunicipality } from '../../auth';
import { decodeApplicationCursor, encodeApplicationCursor } from '../../cursors';
import { idempotencyKey } from '../../idempotency';
import { applicationParamsRequest } from '../../schemas';
import { parseRequest } from '../../validate';
import { CASE_ACTION_ROUTES } from './case-actions';
import { createApplicationRequest, listApplicationsRequest } from './schemas';

export interface ApplicationsRouterDeps {
  prisma: PrismaClient;
  cases: CaseClient;
  reference: ReferenceData;
  logger: Logger;
  /** The office's fallback for unavailable registries (REGISTRY_FALLBACK_HOURS), carried by each case. */
  registryFallbackHours?: number | undefined;
}

export function createApplicationsRouter(deps: ApplicationsRouterDeps): Router {
  const router = Router();

  function created(req: Request, res: Response, applicationId: string, replayed: boolean): void {
    const self = `${req.baseUrl}/${applicationId}`;
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    noteAudit(res, 'file', applicationId);
    res.status(201).location(self).json({ applicationId, state: 'submitted', links: { self } });
  }

  router.post('/', async (req, res) => {
    const { body } = parseRequest(createApplicationRequest, req);
    noteAudit(res, 'file');
    const staff = authorizeMunicipality(req, 'file', body.municipalityCode);
    const key = idempotencyKey(req);
    const filed = await fileApplication(
      { ...deps, logger: req.log },
      { staff, intake: body, idempotency: key ? { key, body: req.body as unknown } : undefined },
    );
    created(req, res, filed.applicationId, filed.replayed);
  });

  router.get('/', async (req, res) => {
    const { query } = parseRequest(listApplicationsRequest, req);
    noteAudit(res, 'list');
    const staff = authorize(req, 'read');
    if (query.municipality && !worksFor(staff, query.municipality)) {
      throw AppError.forbidden(`You do not work for municipality ${query.municipality}`);
    }
    const page = await listApplications(deps, {
      municipalities: query.municipality ? [query.municipality] : [...staff.municipalities],
      filters: {
        state: query.state,
        benefitCode: query.benefit,
        assignee: query.assignee,
        deadlineBefore: query.deadlineBefore,
        blocked: query.blocked === undefined ? undefined : query.blocked === 'true',
      },
      ...(query.cursor ? { after: decodeApplicationCursor(query.cursor) } : {}),
      limit: query.limit,
    });
    res.json({ items: page.items, nextCursor: page.next ? encodeApplicationCursor(page.next) : null });
  });

  router.get('/:id', async (req, res) => {
    const { params } = parseRequest(applicationParamsRequest, req);
    noteAudit(res, 'read', params.id);
    authorizeCase(req, 'read', params.id);
    res.json(await readApplication(deps, params.id));
  });

  router.get('/:id/deadlines', async (req, res) => {
    const { params } = parseRequest(applicationParamsRequest, req);
    noteAudit(res, 'read_deadlines', params.id);
    authorizeCase(req, 'read', params.id);
    res.json(await applicationDeadlines(deps, params.id));
  });

  router.get('/:id/history', async (req, res) => {
    const { params } = parseRequest(applicationParamsRequest, req);
    noteAudit(res, 'read_history', params.id);
    authorizeCase(req, 'read', params.id);
    res.json(await applicationHistory(deps, params.id));
  });

  router.get('/:id/notes', async (req, res) => {
    const { params } = parseRequest(applicationParamsRequest, req);
    noteAudit(res, 'read_notes', params.id);
    authorizeCase(req, 'read_notes', params.id);
    res.json(await professionalNotes(deps, params.id));
  });

  for (const action of CASE_ACTION_ROUTES) {
    const schema = z.object({ params: applicationParamsRequest.shape.params, body: action.body });
    router.post(`/:id/${action.path}`, async (req, res) => {
      const { params, body } = parseRequest(schema, req);
      noteAudit(res, action.permission, params.id);
      const staff = authorizeCase(req, action.permission, params.id);
      const status = await runCaseAction(deps, {
        applicationId: params.id,
        staff,
        action: action.path,
        update: action.update,
        arg: action.args(body, staff),
        effects: action.effects,
        idempotencyKey: idempotencyKey(req),
      });
      res.json(status);
    });
  }

  return router;
}
