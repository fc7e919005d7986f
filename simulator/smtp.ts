/**
 * A real SMTP server on loopback that captures mail instead of delivering it (the start command and the
 * tests point the worker at it), with an HTTP side to read what arrived and to make it refuse mail.
 */
import express from 'express';
import { simpleParser } from 'mailparser';
import type { Logger } from 'pino';
import { SMTPServer } from 'smtp-server';
import { z } from 'zod';
import { issuesText, problemHandlers, sendProblem } from './problems';

export interface CapturedMail {
  id: number;
  at: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string;
}

const faultSchema = z
  .object({
    /** Refuse the next N messages with a temporary error (451), as a busy server does. */
    rejectNext: z.number().int().min(1).max(1000).optional(),
    /** The SMTP reply code for refusals: 4xx temporary, 5xx permanent. */
    rejectCode: z.number().int().min(400).max(599).default(451),
  })
  .strict();

const MAX_KEPT = 10_000;

export function createSmtpCapture(opts: { logger?: Logger | undefined } = {}) {
  const mails: CapturedMail[] = [];
  let seq = 0;
  let fault: { rejectLeft: number; code: number } = { rejectLeft: 0, code: 451 };

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 1024 * 1024,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          // smtp-server only advertises SIZE and flags a message over it: refusing it is this handler's job.
          if (stream.sizeExceeded) {
            const err = new Error('Message exceeds fixed maximum message size') as Error & {
              responseCode: number;
            };
            err.responseCode = 552;
            return callback(err);
          }
          if (fault.rejectLeft > 0) {
            fault.rejectLeft--;
            const err = new Error('Service busy, try again later') as Error & { responseCode: number };
            err.responseCode = fault.code;
            return callback(err);
          }
          mails.push({
            id: ++seq,
            at: new Date().toISOString(),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            messageId: parsed.messageId ?? '',
          });
          if (mails.length > MAX_KEPT) mails.shift();
          callback();
        })
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
    },
  });

  // A client that drops its connection mid-session (a worker killed while sending) is routine for a mail
  // server: smtp-server reports it as an 'error' event, which would end the process if nothing listened.
  smtp.on('error', (err) => opts.logger?.warn({ err }, 'SMTP connection failed'));

  const admin = express();
  admin.use(express.json());
  admin.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  admin.get('/messages', (req, res) => {
    const to = typeof req.query.to === 'string' ? req.query.to.toLowerCase() : undefined;
    const messageId = typeof req.query.messageId === 'string' ? req.query.messageId : undefined;
    res.json(
      mails.filter(
        (m) => (!to || m.to.some((t) => t.toLowerCase() === to)) && (!messageId || m.messageId === messageId),
      ),
    );
  });
  admin.delete('/messages', (_req, res) => {
    mails.length = 0;
    res.status(204).end();
  });
  admin.put('/faults', (req, res) => {
    const parsed = faultSchema.safeParse(req.body);
    if (!parsed.success) {
      sendProblem(res, 400, issuesText(parsed.error));
      return;
    }
    fault = { rejectLeft: parsed.data.rejectNext ?? 0, code: parsed.data.rejectCode };
    res.json({ rejectLeft: fault.rejectLeft, code: fault.code });
  });
  admin.delete('/faults', (_req, res) => {
    fault = { rejectLeft: 0, code: 451 };
    res.status(204).end();
  });
  admin.use(...problemHandlers());

  return { smtp, admin };
}
