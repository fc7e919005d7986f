/**
 * The OpenAPI registration of the right of access.
 */
import { rolesFor } from '../../../domain/access';
import { STAFF_ERRORS, json, problem } from '../../openapi-parts';
import type { RegisterOpenApi } from '../../openapi-parts';
import { subjectAccessRequest, subjectAccessSchema } from './schemas';

export const registerSubjectAccessOpenApi: RegisterOpenApi = (registry) => {
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
};
