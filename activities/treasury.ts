/**
 * Payment orders for the municipal treasury, which pays them (to the person, a supplier or onto a card).
 * Each order carries the workflow's idempotency key: a retried activity, a crashed worker or a replayed
 * workflow finds its order already there and never orders the same payment twice.
 */
import type { PrismaClient } from '../generated/prisma/client';

export interface PaymentOrderInput {
  applicationId: string;
  key: string;
  instalment: number;
  amount: number;
  recipient: 'person' | 'supplier' | 'card';
  dueDate: string;
}

export function createTreasuryActivities({ prisma }: { prisma: PrismaClient }) {
  return {
    async orderPayment(input: PaymentOrderInput): Promise<{ key: string; created: boolean }> {
      const { count } = await prisma.paymentOrder.createMany({
        data: [
          {
            key: input.key,
            applicationId: input.applicationId,
            instalment: input.instalment,
            amount: input.amount.toFixed(2),
            recipient: input.recipient,
            dueDate: new Date(`${input.dueDate}T00:00:00Z`),
          },
        ],
        skipDuplicates: true,
      });
      return { key: input.key, created: count === 1 };
    },
  };
}
