/**
 * An SMS gateway simulator: accepts messages over HTTP (idempotent by the sender's reference), reports
 * delivery to a receipts URL like real gateways do, and fails on demand (outages, undeliverable numbers).
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { issuesText, problemHandlers, sendProblem } from './problems';

const messageSchema = z
  .object({
    to: z.string().regex(/^\+?\d{9,15}$/, 'must be a phone number of 9 to 15 digits'),
    text: z.string().min(1).max(640),
    reference: z.string().min(1).max(300),
  })
  .strict();

const faultSchema = z
  .object({
    /** The next N requests answer 503. */
    failNext: z.number().int().min(1).max(1000).optional(),
    /** Every request answers 503 until cleared. */
    outage: z.boolean().optional(),
    /** Numbers whose messages are accepted but never delivered (a failed receipt). */
    undeliverable: z.array(z.string()).max(100).optional(),
  })
  .strict();

export interface SentSms {
  id: string;
  at: string;
  to: string;
  text: string;
  reference: string;
  status: 'accepted' | 'delivered' | 'failed';
}

export interface SmsGatewayOptions {
  /** Where delivery receipts are posted; none: receipts are only kept here. */
  receiptUrl?: string | undefined;
  receiptSecret?: string | undefined;
  receiptDelayMs?: number;
  logger?: Logger | undefined;
}

export function createSmsGatewayApp(opts: SmsGatewayOptions = {}) {
  const sent: SentSms[] = [];
  const byReference = new Map<string, SentSms>();
  let faults: { failLeft: number; outage: boolean; undeliverable: Set<string> } = {
    failLeft: 0,
    outage: false,
    undeliverable: new Set(),
  };

  async function receipt(sms: SentSms): Promise<void> {
    sms.status = faults.undeliverable.has(sms.to) ? 'failed' : 'delivered';
    if (!opts.receiptUrl) return;
    try {
      await fetch(opts.receiptUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.receiptSecret ? { 'x-webhook-secret': opts.receiptSecret } : {}),
        },
        body: JSON.stringify({
          id: sms.id,
          reference: sms.reference,
          status: sms.status,
          at: new Date().toISOString(),
          ...(sms.status === 'failed' ? { error: 'Número no operatiu / Número no operativo' } : {}),
        }),
        signal: AbortSignal.timeout(5000),
      });
    } catch (err) {
      opts.logger?.warn({ err, id: sms.id }, 'receipt not delivered');
    }
  }

  const app = express();
  app.use(express.json());
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.post('/messages', (req, res) => {
    if (faults.outage || faults.failLeft > 0) {
      if (!faults.outage) faults.failLeft--;
      res.status(503).json({ error: 'gateway unavailable' });
      return;
    }
    const parsed = messageSchema.safeParse(req.body);
    if (!parsed.success) {
      sendProblem(res, 400, issuesText(parsed.error));
      return;
    }
    const known = byReference.get(parsed.data.reference);
    if (known) {
      res.status(200).json({ id: known.id, duplicate: true });
      return;
    }
    const sms: SentSms = {
      id: randomUUID(),
      at: new Date().toISOString(),
      status: 'accepted',
      ...parsed.data,
    };
    sent.push(sms);
    byReference.set(sms.reference, sms);
    setTimeout(() => void receipt(sms), opts.receiptDelayMs ?? 200);
    res.status(202).json({ id: sms.id });
  });
  app.get('/admin/messages', (req, res) => {
    const to = typeof req.query.to === 'string' ? req.query.to : undefined;
    res.json(sent.filter((s) => !to || s.to === to));
  });
  app.delete('/admin/messages', (_req, res) => {
    sent.length = 0;
    byReference.clear();
    res.status(204).end();
  });
  app.put('/admin/faults', (req, res) => {
    const parsed = faultSchema.safeParse(req.body);
    if (!parsed.success) {
      sendProblem(res, 400, issuesText(parsed.error));
      return;
    }
    faults = {
      failLeft: parsed.data.failNext ?? 0,
      outage: parsed.data.outage ?? false,
      undeliverable: new Set(parsed.data.undeliverable ?? []),
    };
    res.json({ ...faults, undeliverable: [...faults.undeliverable] });
  });
  app.delete('/admin/faults', (_req, res) => {
    faults = { failLeft: 0, outage: false, undeliverable: new Set() };
    res.status(204).end();
  });
  app.use(...problemHandlers(opts.logger));
  return app;
}
