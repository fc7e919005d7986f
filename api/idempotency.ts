import type { Request } from 'express';
import { z } from 'zod';
import { AppError } from '../domain/errors';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,100}$/;

/** The header as the OpenAPI document states it. */
export const idempotencyKeyHeader = z.object({ 'idempotency-key': z.string().min(8).max(100).optional() });

/** The Idempotency-Key of a request, checked; undefined when it has none. */
export function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw AppError.badRequest([
      { field: 'headers.idempotency-key', message: 'must be 8 to 100 letters, digits or _ . : -' },
    ]);
  }
  return key;
}
