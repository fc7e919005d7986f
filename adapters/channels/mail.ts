/**
 * Email over SMTP (nodemailer) to the office's mail server. The Message-ID carries the notice's idempotency
 * key, so that a server or a mailbox that sees the same message twice can tell, and so can the tests.
 */
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** The notice delivery's key: becomes the Message-ID. */
  key: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string }>;
  close(): void;
}

/** Temporary trouble (connection, 4xx): the send may succeed later. A 5xx refusal will not. */
export class MailTemporaryError extends Error {}

export function messageIdFor(key: string, domain: string): string {
  return `<${Buffer.from(key).toString('base64url')}@${domain}>`;
}

export function createMailer(opts: { url: string; from: string; timeoutMs?: number }): Mailer {
  const transport = nodemailer.createTransport(opts.url, {
    connectionTimeout: opts.timeoutMs ?? 10_000,
    greetingTimeout: opts.timeoutMs ?? 10_000,
    socketTimeout: opts.timeoutMs ?? 10_000,
  } as object);
  const domain = opts.from.split('@')[1]?.replace(/>.*$/, '') ?? 'ogps.local';
  return {
    async send(m) {
      const messageId = messageIdFor(m.key, domain);
      try {
        await transport.sendMail({ from: opts.from, to: m.to, subject: m.subject, text: m.text, messageId });
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500) throw err;
        throw new MailTemporaryError(err instanceof Error ? err.message : String(err));
      }
      return { messageId };
    },
    close: () => transport.close(),
  };
}
