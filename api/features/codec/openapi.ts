/**
 * The OpenAPI registrations of the Temporal UI's codec endpoint.
 */
import { STAFF_ERRORS, json, problem } from '../../openapi-parts';
import type { RegisterOpenApi } from '../../openapi-parts';
import { codecRequest, codecResponseSchema } from './schemas';

export const registerCodecOpenApi: RegisterOpenApi = (registry) => {
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
};
