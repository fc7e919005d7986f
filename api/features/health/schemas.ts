/**
 * Liveness and readiness.
 */
import { z } from 'zod';
import '../../schemas';

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })).optional(),
  })
  .openapi('Health');
