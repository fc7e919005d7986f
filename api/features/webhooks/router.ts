import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { AppError } from '../../../domain/errors';
import type { PrismaClient } from '../../../generated/prisma/client';
import { recordSmsReceipt } from '../../../services/notices';
import { parseRequest } from '../../validate';
import { smsReceiptRequest } from './schemas';

function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Delivery receipts from the SMS gateway (not staff: authenticated by a shared secret). They complete the
 * delivery record of a message the worker sent, found by the reference it was sent with.
 */
export function createWebhooksRouter({
  prisma,
  smsWebhookSecret,
}: {
  prisma: PrismaClient;
  smsWebhookSecret?: string | undefined;
}): Router {
  const router = Router();
  router.post('/sms/receipts', async (req, res) => {
    if (!smsWebhookSecret) throw new AppError(404, 'Not found', 'SMS receipts are not configured');
    if (!sameSecret(req.get('x-webhook-secret'), smsWebhookSecret)) {
      throw AppError.unauthorized('Send the shared secret in X-Webhook-Secret');
    }
    const { body } = parseRequest(smsReceiptRequest, req);
    await recordSmsReceipt(prisma, body);
    res.status(204).end();
  });
  return router;
}
