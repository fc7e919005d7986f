/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the handlers parse with.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { intakeSchema } from '../domain/intake';
import {
  applicationIdSchema,
  applicationStatusSchema,
  createdApplicationSchema,
  healthSchema,
  problemSchema,
  withdrawRequest,
  deadlineResponseSchema,
} from './schemas';
import { deadlineRequest } from './routes/calendar';
import { catalogueRequest } from './routes/catalogue';

function problem(description: string) {
  return { description, content: { 'application/problem+json': { schema: problemSchema } } };
}

export function buildOpenApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  const idParam = z.object({ id: applicationIdSchema });

  registry.registerPath({
    method: 'post',
    path: '/applications',
    summary: 'File an application: allocates its number and starts its workflow',
    request: { body: { content: { 'application/json': { schema: intakeSchema } } } },
    responses: {
      201: {
        description: 'Registered',
        content: { 'application/json': { schema: createdApplicationSchema } },
      },
      400: problem('Invalid fields, each named'),
      413: problem('Body too large'),
      503: problem('Temporal or PostgreSQL unreachable; retry after the Retry-After header'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/applications/{id}',
    summary: "The application's live status from its workflow",
    request: { params: idParam },
    responses: {
      200: { description: 'Status', content: { 'application/json': { schema: applicationStatusSchema } } },
      400: problem('Malformed application number'),
      404: problem('No such application'),
      503: problem('Temporal unreachable'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/applications/{id}/withdraw',
    summary: 'The applicant withdraws the application',
    request: {
      params: idParam,
      body: { content: { 'application/json': { schema: withdrawRequest.shape.body } } },
    },
    responses: {
      200: { description: 'Withdrawn', content: { 'application/json': { schema: applicationStatusSchema } } },
      400: problem('Invalid fields'),
      404: problem('No such application'),
      409: problem('Not allowed in the current state'),
      503: problem('Temporal unreachable'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/calendar/deadline',
    summary: 'A legal deadline in a municipality (Llei 39/2015 arts. 30-31), with its legal basis',
    request: { query: deadlineRequest.shape.query },
    responses: {
      200: {
        description: 'The deadline',
        content: { 'application/json': { schema: deadlineResponseSchema } },
      },
      400: problem('Invalid query, each field named'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/catalogue/{municipality}',
    summary: 'The benefit catalogue version in force in a municipality on a date (today by default)',
    request: { params: catalogueRequest.shape.params, query: catalogueRequest.shape.query },
    responses: {
      200: {
        description: 'The version in force',
        content: { 'application/json': { schema: z.object({}).passthrough() } },
      },
      400: problem('Unknown municipality or bad date'),
      404: problem('No version in force on that date'),
    },
  });
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

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'OGPS case system API',
      version: '0.1.0',
      description:
        'Staff API of a municipal social benefits office (Oficina de Gestió de Prestacions Socials)',
    },
  });
}
