import type { Request } from 'express';
import type { z } from 'zod';
import { AppError } from '../domain/errors';

/** A request schema names what it reads: `z.object({ params, query, body })`, each part optional. */
export type RequestSchema = z.ZodType<{ params?: unknown; query?: unknown; body?: unknown }>;

/** Parses the request once; handlers use only what this returns. Every bad field is named in the 400. */
export function parseRequest<S extends RequestSchema>(schema: S, req: Request): z.output<S> {
  const result = schema.safeParse({ params: req.params, query: req.query, body: req.body as unknown });
  if (result.success) return result.data;
  throw AppError.badRequest(
    result.error.issues.map((issue) => ({
      field: issue.path.join('.') || 'request',
      message: issue.message,
    })),
  );
}
