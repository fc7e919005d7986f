/**
 * The codec endpoint of the Temporal UI (its "codec server"). A payload may belong to any municipality's
 * case, so only coordinators and auditors whose scope is every municipality of the deployment may use it;
 * each use is in the audit trail.
 */
import { Router } from 'express';
import type { PayloadCodec } from '@temporalio/common';
import { AppError } from '../../../domain/errors';
import { MUNICIPALITY_CODES } from '../../../domain/municipalities';
import { transcode } from '../../../services/codec';
import { noteAudit } from '../../audit';
import { authorize } from '../../auth';
import { parseRequest } from '../../validate';
import { codecRequest } from './schemas';

export function createCodecRouter({ codec }: { codec: PayloadCodec | undefined }): Router {
  const router = Router();
  for (const operation of ['decode', 'encode'] as const) {
    router.post(`/${operation}`, async (req, res) => {
      noteAudit(res, `codec_${operation}`);
      const staff = authorize(req, 'oversee');
      if (!MUNICIPALITY_CODES.every((m) => staff.municipalities.includes(m))) {
        throw AppError.forbidden(
          'Payloads may be of any municipality: only office-wide staff may decode them',
        );
      }
      if (!codec) throw AppError.notFound('Payload encryption is not configured (PAYLOAD_ENCRYPTION_KEYS)');
      const { body } = parseRequest(codecRequest, req);
      res.json(await transcode(codec, operation, body.payloads));
    });
  }
  return router;
}
