/**
 * SMS through an HTTP gateway: POST /messages with the recipient, the text and our reference (the notice
 * delivery's key, which the gateway uses to refuse a duplicate); the gateway reports delivery later to
 * the API's receipts endpoint. Network trouble, 5xx and 429 may pass; a 4xx will not (a bad number).
 */
import { z } from 'zod';

export interface SmsGateway {
  send(message: { to: string; text: string; reference: string }): Promise<{ id: string }>;
}

export class SmsTemporaryError extends Error {}
export class SmsRejectedError extends Error {}

const accepted = z.object({ id: z.string().min(1) });

export function createSmsGateway(opts: {
  baseUrl: string;
  apiKey?: string | undefined;
  timeoutMs?: number;
}): SmsGateway {
  const base = opts.baseUrl.replace(/\/+$/, '');
  return {
    async send(message) {
      let res: Response;
      try {
        res = await fetch(`${base}/messages`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
          },
          body: JSON.stringify(message),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
        });
      } catch (err) {
        throw new SmsTemporaryError(
          `SMS gateway unreachable: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      const text = await res.text();
      if (res.status >= 500 || res.status === 429)
        throw new SmsTemporaryError(`SMS gateway answered ${res.status}`);
      if (!res.ok)
        throw new SmsRejectedError(`SMS gateway refused the message: ${res.status} ${text.slice(0, 200)}`);
      const parsed = accepted.safeParse(
        (() => {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            return undefined;
          }
        })(),
      );
      if (!parsed.success) throw new SmsTemporaryError(`SMS gateway answer unreadable: ${text.slice(0, 80)}`);
      return parsed.data;
    },
  };
}
