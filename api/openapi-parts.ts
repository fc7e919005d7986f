/**
 * What every feature's OpenAPI registrations share: the problem+json answers, the errors any authenticated
 * endpoint may give, a JSON answer, and the case-number path parameter. api/openapi.ts merges the
 * registrations of every feature (api/features/<feature>/openapi.ts) into one document.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { applicationIdSchema, problemSchema } from './schemas';

/** A feature's registrations, added to the document's registry. */
export type RegisterOpenApi = (registry: OpenAPIRegistry) => void;

export function problem(description: string) {
  return { description, content: { 'application/problem+json': { schema: problemSchema } } };
}

/** What every authenticated endpoint may answer besides its own statuses. */
export const STAFF_ERRORS = {
  401: problem('No token, or an unknown, expired or revoked one'),
  413: problem('Body larger than BODY_LIMIT'),
  415: problem('Body in an encoding or charset the API does not read'),
  429: problem(
    'Too many requests from this person, or too many failed authentications from this address; retry after the Retry-After header',
  ),
  431: problem('Request headers larger than the server takes'),
  500: problem('Unexpected error (logged); never carries details'),
};

export const json = <T>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});

/** The `{id}` of a case's paths. */
export const idParam = z.object({ id: applicationIdSchema });
