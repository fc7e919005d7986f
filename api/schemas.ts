/**
 * The schemas every feature's requests and answers share: a case's number, its path parameter and the
 * problem+json body of every error. Each feature keeps its own schemas beside its router
 * (api/features/<feature>/schemas.ts); importing this module first extends zod with `.openapi()`.
 */
import { z } from 'zod';
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { APPLICATION_NUMBER_PATTERN } from '../domain/application';

extendZodWithOpenApi(z);

export const applicationIdSchema = z
  .string()
  .regex(APPLICATION_NUMBER_PATTERN, 'must be an application number such as 08305-2026-000042')
  .openapi({ example: '08305-2026-000042' });

export const applicationParamsRequest = z.object({ params: z.object({ id: applicationIdSchema }) });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    rejection: z.string().optional(),
  })
  .openapi('Problem');

/** A page's cursor as a client sends it back: opaque, URL-safe, at most `max` characters. */
export const cursorSchema = (max: number) =>
  z
    .string()
    .regex(new RegExp(`^[A-Za-z0-9_-]{1,${max}}$`), 'must be a cursor returned by a previous page')
    .optional();
