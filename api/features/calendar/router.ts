/** /calendar: a legal deadline in a municipality, with its legal basis. */
import { Router } from 'express';
import type { ReferenceData } from '../../../adapters/reference-data';
import { deadlineFor } from '../../../services/reference';
import { parseRequest } from '../../validate';
import { deadlineRequest } from './schemas';

export function createCalendarRouter(deps: { reference: ReferenceData }): Router {
  const router = Router();
  router.get('/deadline', (req, res) => {
    const { query } = parseRequest(deadlineRequest, req);
    res.json(deadlineFor(deps.reference, query));
  });
  return router;
}
