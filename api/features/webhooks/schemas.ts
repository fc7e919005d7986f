/**
 * The SMS gateway's delivery receipt for a message.
 */
import { z } from 'zod';
import '../../schemas';
import { text } from '../../../domain/text';

export const smsReceiptRequest = z.object({
  body: z
    .object({
      id: text(200),
      reference: text(300),
      status: z.enum(['delivered', 'failed']),
      at: z.iso.datetime(),
      error: text(500, { min: 0, multiline: true }).optional(),
    })
    .strict(),
});
