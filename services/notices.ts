/**
 * What comes back about the notices the worker sent: the SMS gateway's delivery receipts complete the
 * delivery record of a message, found by the reference it was sent with.
 */
import { AppError } from '../domain/errors';
import type { PrismaClient } from '../generated/prisma/client';

export interface SmsReceipt {
  /** The gateway's id of the message. */
  id: string;
  /** Our reference, sent with the message (the delivery's key). */
  reference: string;
  status: 'delivered' | 'failed';
  at: string;
  error?: string | undefined;
}

export async function recordSmsReceipt(prisma: PrismaClient, receipt: SmsReceipt): Promise<void> {
  const { count } = await prisma.noticeDelivery.updateMany({
    where: { key: receipt.reference, channel: 'sms' },
    data:
      receipt.status === 'delivered'
        ? { status: 'delivered', deliveredAt: new Date(receipt.at), providerId: receipt.id }
        : { status: 'failed', error: receipt.error ?? 'not delivered', providerId: receipt.id },
  });
  if (count === 0) throw AppError.notFound(`No SMS was sent with reference ${receipt.reference}`);
}
