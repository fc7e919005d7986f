/**
 * The OpenAPI registrations of liveness and readiness.
 */
import type { RegisterOpenApi } from '../../openapi-parts';
import { healthSchema } from './schemas';

export const registerHealthOpenApi: RegisterOpenApi = (registry) => {
  for (const path of ['/health', '/ready']) {
    registry.registerPath({
      method: 'get',
      path,
      summary: path === '/health' ? 'Liveness' : 'Readiness: Temporal and PostgreSQL reachable',
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: healthSchema } } },
        ...(path === '/ready'
          ? { 503: { description: 'Not ready', content: { 'application/json': { schema: healthSchema } } } }
          : {}),
      },
    });
  }
};
