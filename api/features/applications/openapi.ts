/**
 * The OpenAPI registrations of /applications: filing, the list, the reads, every case action of the table.
 */
import { rolesFor } from '../../../domain/access';
import { intakeSchema } from '../../../domain/intake';
import { idempotencyKeyHeader } from '../../idempotency';
import { STAFF_ERRORS, idParam, json, problem } from '../../openapi-parts';
import type { RegisterOpenApi } from '../../openapi-parts';
import { CASE_ACTION_ROUTES } from './case-actions';
import {
  applicationListSchema,
  applicationStatusSchema,
  createdApplicationSchema,
  deadlinesSchema,
  historySchema,
  listApplicationsRequest,
  notesSchema,
} from './schemas';

export const registerApplicationsOpenApi: RegisterOpenApi = (registry) => {
  registry.registerPath({
    method: 'post',
    path: '/applications',
    summary: 'File an application: allocates its number and starts its workflow',
    description:
      'Idempotent with an `Idempotency-Key` header: the same key and body answer the same application ' +
      '(201 with `Idempotent-Replayed: true`). A household with an open application for the same benefit is ' +
      "refused with 409 and the existing case's number. Roles: " +
      rolesFor('file').join(', ') +
      '.',
    security: [{ bearer: [] }],
    request: {
      headers: idempotencyKeyHeader,
      body: { content: { 'application/json': { schema: intakeSchema } } },
    },
    responses: {
      201: json('Registered', createdApplicationSchema),
      400: problem('Invalid fields, each named'),
      403: problem('Role may not file, or not a municipality of yours'),
      409: problem('The household already has an open application for this benefit (existingApplicationId)'),
      422: problem('Benefit not offered on this date, or Idempotency-Key reused with another body'),
      503: problem('Temporal or PostgreSQL unreachable; retry after the Retry-After header'),
      ...STAFF_ERRORS,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/applications',
    summary: "Your municipalities' applications, from the projection, filtered, by pages (cursor)",
    security: [{ bearer: [] }],
    request: { query: listApplicationsRequest.shape.query },
    responses: {
      200: json('A page of applications', applicationListSchema),
      400: problem('Invalid filter, each named'),
      403: problem('Not a municipality of yours'),
      503: problem('PostgreSQL unreachable'),
      ...STAFF_ERRORS,
    },
  });
  const reads = [
    ['deadlines', 'Running deadlines of the case with their legal basis', deadlinesSchema, 'read'],
    ['history', "The case's timeline (every step, with who and when)", historySchema, 'read'],
    [
      'notes',
      'Professional notes (social workers, technical staff and coordinators only)',
      notesSchema,
      'read_notes',
    ],
  ] as const;
  for (const [segment, summary, schema, permission] of reads) {
    registry.registerPath({
      method: 'get',
      path: `/applications/{id}/${segment}`,
      summary: `${summary}. Roles: ${rolesFor(permission).join(', ')}`,
      security: [{ bearer: [] }],
      request: { params: idParam },
      responses: {
        200: json(summary, schema),
        400: problem('Malformed application number'),
        403: problem('Role may not read this'),
        404: problem('No such application in your municipalities'),
        503: problem('PostgreSQL unreachable'),
        ...STAFF_ERRORS,
      },
    });
  }
  for (const action of CASE_ACTION_ROUTES) {
    registry.registerPath({
      method: 'post',
      path: `/applications/{id}/${action.path}`,
      summary: `${action.summary}. Roles: ${rolesFor(action.permission).join(', ')}`,
      description:
        'Answers once the case has taken the action, or 503 after CASE_ACTION_TIMEOUT_SECONDS when its ' +
        'workflow is not being processed (its worker busy or down): the action may then still be carried ' +
        'out. Repeated with the same `Idempotency-Key`, the request waits for that same action and answers ' +
        'its outcome instead of acting twice.',
      security: [{ bearer: [] }],
      request: {
        params: idParam,
        headers: idempotencyKeyHeader,
        body: { content: { 'application/json': { schema: action.body } } },
      },
      responses: {
        200: json('The new status of the case', applicationStatusSchema),
        400: problem('Invalid fields, each named'),
        403: problem('Role may not do this'),
        404: problem('No such application in your municipalities'),
        409: problem(
          'Not allowed in the current state (rejection: InvalidTransition, FourEyesViolation, DeadlinePassed)',
        ),
        422: problem('Refused by the case (rejection: InvalidInput)'),
        503: problem('Temporal unreachable, or the case did not take the action in time (Retry-After)'),
        ...STAFF_ERRORS,
      },
    });
  }
  registry.registerPath({
    method: 'get',
    path: '/applications/{id}',
    summary: "The application's live status from its workflow, with its projection",
    security: [{ bearer: [] }],
    request: { params: idParam },
    responses: {
      200: json('Status', applicationStatusSchema),
      400: problem('Malformed application number'),
      404: problem('No such application in your municipalities'),
      503: problem(
        'Temporal unreachable, or the case did not answer within CASE_READ_TIMEOUT_SECONDS (its workers busy or down); with Retry-After',
      ),
      ...STAFF_ERRORS,
    },
  });
};
