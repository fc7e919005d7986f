/**
 * The OpenAPI registrations of the coordinators' views and bulk actions.
 */
import { rolesFor } from '../../../domain/access';
import { STAFF_ERRORS, idParam, json, problem } from '../../openapi-parts';
import type { RegisterOpenApi } from '../../openapi-parts';
import {
  bulkReassignRequest,
  bulkReassignSchema,
  colleaguesSchema,
  officeDeadlinesRequest,
  officeDeadlinesSchema,
  repairRequest,
  repairSchema,
  stuckListSchema,
  stuckRequest,
  timelineSchema,
  workloadSchema,
} from './schemas';

export const registerCoordinationOpenApi: RegisterOpenApi = (registry) => {
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
};
