/** /catalogue: the benefit catalogue version in force in a municipality. */
import { Router } from 'express';
import type { ReferenceData } from '../../../adapters/reference-data';
import { catalogueInForce } from '../../../services/reference';
import { parseRequest } from '../../validate';
import { catalogueRequest } from './schemas';

export function createCatalogueRouter(deps: { reference: ReferenceData }): Router {
  const router = Router();
  router.get('/:municipality', (req, res) => {
    const { params, query } = parseRequest(catalogueRequest, req);
    res.json(catalogueInForce(deps.reference, params.municipality, query.on));
  });
  return router;
}
