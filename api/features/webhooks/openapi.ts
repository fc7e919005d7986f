/**
 * The OpenAPI registration of the SMS gateway's delivery receipts.
 */
import { z } from 'zod';
import { problem } from '../../openapi-parts';
import type { RegisterOpenApi } from '../../openapi-parts';
import { smsReceiptRequest } from './schemas';

export const registerWebhooksOpenApi: RegisterOpenApi = (registry) => {
  registry.registerPath({
    method: 'post',
    path: '/webhooks/sms/receipts',
    summary: "The SMS gateway's delivery receipt for a message (shared secret in X-Webhook-Secret)",
    request: {
      headers: z.object({ 'x-webhook-secret': z.string() }),
      body: { content: { 'application/json': { schema: smsReceiptRequest.shape.body } } },
    },
    responses: {
      204: { description: 'Recorded' },
      400: problem('Invalid receipt'),
      401: problem('Missing or wrong secret'),
      404: problem('No SMS with that reference, or receipts not configured'),
      500: problem('Unexpected error (logged)'),
    },
  });
};
