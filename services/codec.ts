/**
 * The Temporal UI's codec server (POST /codec/decode and /codec/encode with `{ payloads }`): engineers read
 * cases' payloads in the UI without the keys leaving the API. Payloads travel as JSON with base64 bytes.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { AppError } from '../domain/errors';
import { PayloadKeyError } from '../adapters/payload-codec';

export interface JsonPayload {
  metadata?: Record<string, string> | undefined;
  data?: string | undefined;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  ),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v ?? new Uint8Array()).toString('base64'),
    ]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** Decodes or encodes payloads with the office's keys; 404 when encryption is not configured. */
export async function transcode(
  codec: PayloadCodec | undefined,
  operation: 'decode' | 'encode',
  payloads: JsonPayload[],
): Promise<{ payloads: JsonPayload[] }> {
  if (!codec) throw AppError.notFound('Payload encryption is not configured (PAYLOAD_ENCRYPTION_KEYS)');
  try {
    const out = await codec[operation](payloads.map(fromJson));
    return { payloads: out.map(toJson) };
  } catch (err) {
    // The codec does no I/O: whatever fails is the payload given (unknown key, altered, not a payload).
    const why = err instanceof PayloadKeyError ? err.message : 'not a payload this office sealed, or altered';
    throw AppError.badRequest([{ field: 'body.payloads', message: `cannot ${operation}: ${why}` }]);
  }
}
