/**
 * The OpenAPI 3.1 document: every feature's registrations (api/features/<feature>/openapi.ts, beside the
 * router and the zod schemas it parses with) merged, with the endpoints of the app itself.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { registerApplicationsOpenApi } from './features/applications/openapi';
import { registerCalendarOpenApi } from './features/calendar/openapi';
import { registerCatalogueOpenApi } from './features/catalogue/openapi';
import { registerCodecOpenApi } from './features/codec/openapi';
import { registerCoordinationOpenApi } from './features/coordination/openapi';
import { registerHealthOpenApi } from './features/health/openapi';
import { registerIndicatorsOpenApi } from './features/indicators/openapi';
import { registerStaffOpenApi } from './features/staff/openapi';
import { registerSubjectAccessOpenApi } from './features/subject-access/openapi';
import { registerWebhooksOpenApi } from './features/webhooks/openapi';
import { problem } from './openapi-parts';
import type { RegisterOpenApi } from './openapi-parts';

/** The app's own endpoints: the Prometheus metrics. */
const registerAppOpenApi: RegisterOpenApi = (registry) => {
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary:
      'Prometheus metrics (cases per state, stuck per reason, deadlines met and missed, reminders, registry consultations)',
    responses: {
      200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
      401: problem('METRICS_TOKEN is set and was not sent'),
      500: problem('Unexpected error (logged)'),
      503: problem('PostgreSQL unreachable'),
    },
  });
};

const FEATURES: readonly RegisterOpenApi[] = [
  registerApplicationsOpenApi,
  registerStaffOpenApi,
  registerCodecOpenApi,
  registerSubjectAccessOpenApi,
  registerCalendarOpenApi,
  registerCatalogueOpenApi,
  registerHealthOpenApi,
  registerWebhooksOpenApi,
  registerCoordinationOpenApi,
  registerAppOpenApi,
  registerIndicatorsOpenApi,
];

export function buildOpenApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  for (const register of FEATURES) register(registry);
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A staff API token (`npm run staff -- token <id>`); only its hash is stored',
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'OGPS case system API',
      version: '0.1.0',
      description:
        'Staff API of a municipal social benefits office (Oficina de Gestió de Prestacions Socials). ' +
        'A path asked with a method it does not take answers 405 with `Allow`; every error is problem+json.',
    },
  });
}
