/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the handlers parse with.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { intakeSchema } from '../domain/intake';
import { rolesFor } from '../domain/access';
import { CASE_ACTION_ROUTES } from './case-actions';
import {
  applicationIdSchema,
  applicationListSchema,
  applicationStatusSchema,
  auditIntegritySchema,
  codecRequest,
  codecResponseSchema,
  auditListSchema,
  bulkReassignRequest,
  bulkReassignSchema,
  repairRequest,
  repairSchema,
  colleaguesSchema,
  officeDeadlinesRequest,
  officeDeadlinesSchema,
  stuckListSchema,
  stuckRequest,
  timelineSchema,
  workloadSchema,
  auditRequest,
  createdApplicationSchema,
  deadlinesSchema,
  healthSchema,
  historySchema,
  listApplicationsRequest,
  meSchema,
  notesSchema,
  problemSchema,
  deadlineResponseSchema,
  indicatorsRequest,
  indicatorsSchema,
  aggregatedIndicatorsRequest,
  aggregatedIndicatorsSchema,
  subjectAccessRequest,
  subjectAccessSchema,
} from './schemas';
import { deadlineRequest } from './routes/calendar';
import { smsReceiptRequest } from './routes/webhooks';
import { catalogueRequest } from './routes/catalogue';

function problem(description: string) {
  return { description, content: { 'application/problem+json': { schema: problemSchema } } };
}

/** What every authenticated endpoint may answer besides its own statuses. */
const STAFF_ERRORS = {
  401: problem('No token, or an unknown, expired or revoked one'),
  429: problem('Too many requests from this person; retry after the Retry-After header'),
  500: problem('Unexpected error (logged); never carries details'),
};

const json = <T>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});

export function buildOpenApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  const idParam = z.object({ id: applicationIdSchema });

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
      headers: z.object({ 'idempotency-key': z.string().min(8).max(100).optional() }),
      body: { content: { 'application/json': { schema: intakeSchema } } },
    },
    responses: {
      201: json('Registered', createdApplicationSchema),
      400: problem('Invalid fields, each named'),
      403: problem('Role may not file, or not a municipality of yours'),
      409: problem('The household already has an open application for this benefit (existingApplicationId)'),
      413: problem('Body too large'),
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
        headers: z.object({ 'idempotency-key': z.string().min(8).max(100).optional() }),
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
    path: '/me',
    summary: 'Who you are: role, municipalities and the actions your role allows',
    security: [{ bearer: [] }],
    responses: { 200: json('You', meSchema), ...STAFF_ERRORS },
  });
  registry.registerPath({
    method: 'get',
    path: '/audit',
    summary: `Audit log of your municipalities' cases, newest first. Roles: ${rolesFor('read_audit').join(', ')}`,
    security: [{ bearer: [] }],
    request: { query: auditRequest.shape.query },
    responses: {
      200: json('A page of audit entries', auditListSchema),
      400: problem('Invalid filter'),
      403: problem('Role may not read the audit log'),
      404: problem('No such application in your municipalities'),
      ...STAFF_ERRORS,
    },
  });
  for (const operation of ['decode', 'encode'] as const) {
    registry.registerPath({
      method: 'post',
      path: `/codec/${operation}`,
      summary: `Temporal UI codec server: ${operation}s payloads with the office's keys. Coordinators and auditors of every municipality`,
      security: [{ bearer: [] }],
      request: { body: { content: { 'application/json': { schema: codecRequest.shape.body } } } },
      responses: {
        200: json('The payloads', codecResponseSchema),
        400: problem('Not payloads, or sealed with a key this office does not hold'),
        403: problem('Only office-wide coordinators and auditors'),
        404: problem('Payload encryption is not configured'),
        ...STAFF_ERRORS,
      },
    });
  }
  registry.registerPath({
    method: 'get',
    path: '/audit/integrity',
    summary: `Checks the audit trail's hash chain: entries altered, removed or out of place, and the head to record. Roles: ${rolesFor('read_audit').join(', ')}`,
    security: [{ bearer: [] }],
    responses: {
      200: json('The chain, intact or with its first breaks', auditIntegritySchema),
      403: problem('Role may not read the audit log'),
      ...STAFF_ERRORS,
    },
  });
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
  registry.registerPath({
    method: 'post',
    path: '/subject-access-requests',
    summary:
      'The right of access (GDPR art. 15): everything held about a person (DNI/NIE in the body, never in the ' +
      'URL) in your municipalities: each case with its stored rows, audit entries and what Temporal holds. ' +
      `Audited, one entry per case exported. Roles: ${rolesFor('export_personal_data').join(', ')}`,
    security: [{ bearer: [] }],
    request: { body: { content: { 'application/json': { schema: subjectAccessRequest.shape.body } } } },
    responses: {
      200: json('The export (no cases: nothing held about the person)', subjectAccessSchema),
      400: problem('Not a valid DNI or NIE'),
      403: problem('Role may not export personal data'),
      503: problem('Temporal or PostgreSQL unreachable'),
      ...STAFF_ERRORS,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/calendar/deadline',
    summary: 'A legal deadline in a municipality (Llei 39/2015 arts. 30-31), with its legal basis',
    security: [{ bearer: [] }],
    request: { query: deadlineRequest.shape.query },
    responses: {
      200: json('The deadline', deadlineResponseSchema),
      400: problem('Invalid query, each field named'),
      ...STAFF_ERRORS,
    },
  });
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

  registry.registerPath({
    method: 'post',
    path: '/webhooks/sms/receipts',
    summary: "The SMS gateway's delivery receipt for a message (shared secret in X-Webhook-Secret)",
    request: {
      headers: z.object({ 'x-webhook-secret': z.string() }),
      body: { content: { 'application/json': { schema: smsReceiptRequest.shape.body } } },
    },
    responses: {
      204: { description: 'Recorded' },
      400: problem('Invalid receipt'),
      401: problem('Missing or wrong secret'),
      404: problem('No SMS with that reference, or receipts not configured'),
      500: problem('Unexpected error (logged)'),
    },
  });
  const oversee = `Roles: ${rolesFor('oversee').join(', ')}`;
  registry.registerPath({
    method: 'get',
    path: '/coordination/stuck',
    summary: `Stuck applications of your municipalities, each with why, since when and what to do, a page at a time in application-number order (a page reads at most STUCK_SCAN_BUDGET open cases, so it may be short and still have a next). ${oversee}`,
    security: [{ bearer: [] }],
    request: { query: stuckRequest.shape.query },
    responses: {
      200: json('Stuck applications', stuckListSchema),
      400: problem('Invalid filter or cursor'),
      403: problem('Role may not oversee, or not a municipality of yours'),
      503: problem('PostgreSQL unreachable'),
      ...STAFF_ERRORS,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/coordination/deadlines',
    summary: `Every running deadline of the office by date (overdue, today, this week, later). ${oversee}`,
    security: [{ bearer: [] }],
    request: { query: officeDeadlinesRequest.shape.query },
    responses: {
      200: json('Deadlines', officeDeadlinesSchema),
      400: problem('Invalid filter'),
      403: problem('Role may not oversee, or not a municipality of yours'),
      503: problem('PostgreSQL unreachable'),
      ...STAFF_ERRORS,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/coordination/staff',
    summary: `Active staff of your municipalities who can take cases. ${oversee}`,
    security: [{ bearer: [] }],
    responses: {
      200: json('Colleagues', colleaguesSchema),
      403: problem('Role may not oversee'),
      503: problem('PostgreSQL unreachable'),
      ...STAFF_ERRORS,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/coordination/workload',
    summary: `Open cases and tasks per person and state, and what the cases wait on. ${oversee}`,
    security: [{ bearer: [] }],
    responses: {
      200: json('Workload', workloadSchema),
      403: problem('Role may not oversee'),
      503: problem('PostgreSQL unreachable'),
      ...STAFF_ERRORS,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/coordination/timeline/{id}',
    summary:
      "A case's whole story in Catalan with Spanish: steps, reminders, consultations, payments, deadlines",
    security: [{ bearer: [] }],
    request: { params: idParam },
    responses: {
      200: json('Timeline', timelineSchema),
      400: problem('Malformed application number'),
      404: problem('No such application in your municipalities'),
      503: problem('PostgreSQL unreachable'),
      ...STAFF_ERRORS,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/coordination/reassignments',
    summary: `Reassign many cases: a preview first (preview: true), then the run; each with who and why. The run waits at most CASE_ACTION_TIMEOUT_SECONDS, all cases together, for the cases to take it: a case that did not, or was not reached in that time, is \`unavailable\`. Roles: ${rolesFor('reassign').join(', ')}`,
    security: [{ bearer: [] }],
    request: { body: { content: { 'application/json': { schema: bulkReassignRequest.shape.body } } } },
    responses: {
      200: json('What was (or would be) touched, case by case', bulkReassignSchema),
      400: problem('Invalid fields'),
      403: problem('Role may not reassign'),
      503: problem('Temporal or PostgreSQL unreachable'),
      ...STAFF_ERRORS,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/coordination/repairs',
    summary: `Repair a case held by a workflow task that no longer replays (stuck as workflow_task_failing): a preview (preview: true) says where its run goes back to and what runs again; the repair resets it there, re-applying the staff's actions. Roles: ${rolesFor('repair').join(', ')}`,
    security: [{ bearer: [] }],
    request: { body: { content: { 'application/json': { schema: repairRequest.shape.body } } } },
    responses: {
      200: json('The repair planned (preview) or done, with the new run', repairSchema),
      400: problem('Invalid fields'),
      403: problem('Role may not repair'),
      404: problem('No such application in your municipalities'),
      409: problem(
        'Refused, with the reason: not_running, not_held, not_a_replay_mismatch, incompatible_from_start, history_changed',
      ),
      503: problem('Temporal or PostgreSQL unreachable'),
      ...STAFF_ERRORS,
    },
  });
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
  const csvContent = {
    schema: z
      .string()
      .openapi({ description: 'A header row of indicator ids, then one row per municipality and benefit' }),
  };
  registry.registerPath({
    method: 'get',
    path: '/indicators',
    summary:
      'The office’s indicators per municipality and benefit for a period (volume, speed, paperwork avoided, ' +
      `money, workload), each defined in the answer; format=csv for a spreadsheet. ${oversee}`,
    security: [{ bearer: [] }],
    request: { query: indicatorsRequest.shape.query },
    responses: {
      200: {
        description: 'Indicators (JSON, or CSV with format=csv)',
        content: {
          'application/json': { schema: indicatorsSchema },
          'text/csv': csvContent,
        },
      },
      400: problem('Invalid period or filter'),
      403: problem('Role may not oversee, or not a municipality of yours'),
      503: problem('PostgreSQL unreachable'),
      ...STAFF_ERRORS,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/indicators/aggregated',
    summary:
      'For the Diputació: the indicators of your municipalities and of all of them together, with no ' +
      `personal data and counts below INDICATOR_MIN_COUNT (and what would reveal them) withheld. ${oversee}`,
    security: [{ bearer: [] }],
    request: { query: aggregatedIndicatorsRequest.shape.query },
    responses: {
      200: {
        description: 'Aggregated indicators (JSON, or CSV with format=csv, withheld cells as <threshold)',
        content: {
          'application/json': { schema: aggregatedIndicatorsSchema },
          'text/csv': csvContent,
        },
      },
      400: problem('Invalid period or filter'),
      403: problem('Role may not oversee'),
      503: problem('PostgreSQL unreachable'),
      ...STAFF_ERRORS,
    },
  });
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
        'Staff API of a municipal social benefits office (Oficina de Gestió de Prestacions Socials)',
    },
  });
}
