import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { PrismaClient } from '../../generated/prisma/client';
import { HttpError } from '../errors';
import { parseRequest } from '../validate';

export const smsReceiptRequest = z.object({
  body: z
    .object({
      id: z.string().min(1).max(200),
      reference: z.string().min(1).max(300),
      status: z.enum(['delivered', 'failed']),
      at: z.iso.datetime(),
      error: z.string().max(500).optional(),
    })
    .strict(),
});

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
    if (!smsWebhookSecret) throw new HttpError(404, 'Not found', 'SMS receipts are not configured');
    if (!sameSecret(req.get('x-webhook-secret'), smsWebhookSecret)) {
      throw HttpError.unauthorized('Send the shared secret in X-Webhook-Secret');
    }
    const { body } = parseRequest(smsReceiptRequest, req);
    const { count } = await prisma.noticeDelivery.updateMany({
      where: { key: body.reference, channel: 'sms' },
      data:
        body.status === 'delivered'
          ? { status: 'delivered', deliveredAt: new Date(body.at), providerId: body.id }
          : { status: 'failed', error: body.error ?? 'not delivered', providerId: body.id },
    });
    if (count === 0) throw HttpError.notFound(`No SMS was sent with reference ${body.reference}`);
    res.status(204).end();
  });
  return router;
}
