/**
 * The OpenAPI registrations of /me and the audit trail.
 */
import { rolesFor } from '../../../domain/access';
import { STAFF_ERRORS, json, problem } from '../../openapi-parts';
import type { RegisterOpenApi } from '../../openapi-parts';
import { auditIntegritySchema, auditListSchema, auditRequest, meSchema } from './schemas';

export const registerStaffOpenApi: RegisterOpenApi = (registry) => {
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
};
