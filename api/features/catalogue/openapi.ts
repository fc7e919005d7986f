/**
 * The OpenAPI registration of the benefit catalogue.
 */
import { z } from 'zod';
import { STAFF_ERRORS, problem } from '../../openapi-parts';
import type { RegisterOpenApi } from '../../openapi-parts';
import { catalogueRequest } from './schemas';

export const registerCatalogueOpenApi: RegisterOpenApi = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/catalogue/{municipality}',
    summary: 'The benefit catalogue version in force in a municipality on a date (today by default)',
    security: [{ bearer: [] }],
    request: { params: catalogueRequest.shape.params, query: catalogueRequest.shape.query },
    responses: {
      200: {
        description: 'The version in force',
        content: { 'application/json': { schema: z.object({}).passthrough() } },
      },
      400: problem('Unknown municipality or bad date'),
      404: problem('No version in force on that date'),
      ...STAFF_ERRORS,
    },
  });
};
