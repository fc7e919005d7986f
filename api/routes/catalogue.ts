import { Router } from 'express';
import { z } from 'zod';
import { isIsoDate, officeDateOf } from '../../domain/dates';
import { versionInForce } from '../../domain/catalogue';
import { MUNICIPALITY_CODES } from '../../domain/municipalities';
import type { ReferenceData } from '../../infra/reference-data';
import { HttpError } from '../errors';
import { parseRequest } from '../validate';

export const catalogueRequest = z.object({
  params: z.object({ municipality: z.enum(MUNICIPALITY_CODES) }),
  query: z.object({ on: z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD').optional() }).strict(),
});

export function createCatalogueRouter(deps: { reference: ReferenceData }): Router {
  const router = Router();

  /** The catalogue version in force in a municipality on a date (today by default), and its other versions. */
  router.get('/:municipality', (req, res) => {
    const { params, query } = parseRequest(catalogueRequest, req);
    const on = query.on ?? officeDateOf(new Date());
    const version = versionInForce(deps.reference.catalogue, params.municipality, on);
    if (!version)
      throw HttpError.notFound(`No catalogue version in force in ${params.municipality} on ${on}`);
    res.json({
      on,
      ...version,
      versions: deps.reference.catalogue
        .filter((v) => v.municipalityCode === params.municipality)
        .map((v) => ({ version: v.version, effectiveFrom: v.effectiveFrom }))
        .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1)),
    });
  });

  return router;
}
