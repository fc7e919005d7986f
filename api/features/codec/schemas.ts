/**
 * The Temporal UI's codec server protocol.
 */
import { z } from 'zod';
import '../../schemas';

const base64 = z
  .string()
  .max(4_000_000)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const jsonPayload = z
  .object({ metadata: z.record(z.string().max(100), base64).optional(), data: base64.optional() })
  .strict();

/** The Temporal UI's codec server protocol. */
export const codecRequest = z.object({
  body: z.object({ payloads: z.array(jsonPayload).max(1000) }).strict(),
});

export const codecResponseSchema = z
  .object({ payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()), data: z.string() })) })
  .openapi('CodecPayloads');
