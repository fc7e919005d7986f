/**
 * The OpenAPI registration of the deadline calculator.
 */
import { STAFF_ERRORS, json, problem } from '../../openapi-parts';
import type { RegisterOpenApi } from '../../openapi-parts';
import { deadlineRequest, deadlineResponseSchema } from './schemas';

export const registerCalendarOpenApi: RegisterOpenApi = (registry) => {
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
};
