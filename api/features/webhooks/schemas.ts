/**
 * The SMS gateway's delivery receipt for a message.
 */
import { z } from 'zod';
import '../../schemas';

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
