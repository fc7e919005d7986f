import { Router } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { MUNICIPALITY_CODES } from '../../domain/municipalities';
import { PayloadKeyError } from '../../infra/payload-codec';
import { noteAudit } from '../audit';
import { authorize } from '../auth';
import { HttpError } from '../errors';
import { codecRequest } from '../schemas';
import { parseRequest } from '../validate';

type JsonPayload = { metadata?: Record<string, string> | undefined; data?: string | undefined };

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

/**
 * The codec endpoint of the Temporal UI (its "codec server": POST /codec/decode and /codec/encode with
 * `{ payloads }`): engineers read cases' payloads in the UI without the keys leaving the API. A payload may
 * belong to any municipality's case, so only coordinators and auditors whose scope is every municipality of
 * the deployment may use it; each use is in the audit trail.
 */
export function createCodecRouter({ codec }: { codec: PayloadCodec | undefined }): Router {
  const router = Router();
  for (const operation of ['decode', 'encode'] as const) {
    router.post(`/${operation}`, async (req, res) => {
      noteAudit(res, `codec_${operation}`);
      const staff = authorize(req, 'oversee');
      if (!MUNICIPALITY_CODES.every((m) => staff.municipalities.includes(m))) {
        throw HttpError.forbidden(
          'Payloads may be of any municipality: only office-wide staff may decode them',
        );
      }
      if (!codec) throw HttpError.notFound('Payload encryption is not configured (PAYLOAD_ENCRYPTION_KEYS)');
      const { body } = parseRequest(codecRequest, req);
      try {
        const out = await codec[operation](body.payloads.map(fromJson));
        res.json({ payloads: out.map(toJson) });
      } catch (err) {
        // The codec does no I/O: whatever fails is the payload given (unknown key, altered, not a payload).
        const why =
          err instanceof PayloadKeyError ? err.message : 'not a payload this office sealed, or altered';
        throw HttpError.badRequest([{ field: 'body.payloads', message: `cannot ${operation}: ${why}` }]);
      }
    });
  }
  return router;
}
