/**
 * The HTTP side of the PCI/SCSP connectors: one request, one answer, classified into what the caller can do
 * about it. Transport trouble (refused connection, timeout, 5xx, 429) and malformed answers are worth
 * retrying; a 4xx means the request itself is wrong and retrying cannot help. Certificates (mutual TLS, as
 * Via Oberta and the PID require) and the base URL are configuration.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import { answerRequestSchema, requestSchema, responseSchema, SCSP_PATHS } from './protocol';
import type { ScspAnswerRequest, ScspRequest, ScspResponse } from './protocol';

export interface ScspClientOptions {
  baseUrl: string;
  /** Time allowed for the registry to answer one request. */
  timeoutMs: number;
  /** PEM files for mutual TLS: the office's certificate and key, and the platform's CA. */
  tls?: { cert?: string | undefined; key?: string | undefined; ca?: string | undefined } | undefined;
}

/** Retrying may help: the registry is away, slow or answered something unreadable. */
export class RegistryUnavailableError extends Error {
  constructor(
    message: string,
    readonly kind: 'network' | 'timeout' | 'http' | 'malformed' | 'platform',
  ) {
    super(message);
    this.name = 'RegistryUnavailableError';
  }
}

/** The registry refused the request itself (a 4xx other than 429): the request must change, not be resent. */
export class RegistryRequestRefusedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'RegistryRequestRefusedError';
  }
}

export interface ScspClient {
  send(req: ScspRequest): Promise<ScspResponse>;
  answer(req: ScspAnswerRequest): Promise<ScspResponse>;
  close(): Promise<void>;
}

export function createScspClient(opts: ScspClientOptions): ScspClient {
  const read = (file: string | undefined): Buffer | undefined => (file ? readFileSync(file) : undefined);
  const dispatcher: Dispatcher = new Agent({
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    connectTimeout: Math.min(opts.timeoutMs, 10_000),
    connect: { cert: read(opts.tls?.cert), key: read(opts.tls?.key), ca: read(opts.tls?.ca) },
  });
  const base = opts.baseUrl.replace(/\/+$/, '');

  async function post(path: string, body: unknown): Promise<ScspResponse> {
    let status: number;
    let text: string;
    try {
      const res = await request(`${base}${path}`, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      const timedOut = /Timeout|AbortError/.test(name);
      throw new RegistryUnavailableError(
        `${timedOut ? 'no answer within' : 'could not reach the registry at'} ${timedOut ? `${opts.timeoutMs} ms` : base}: ${err instanceof Error ? err.message : String(err)}`,
        timedOut ? 'timeout' : 'network',
      );
    }
    if (status >= 500 || status === 429 || status === 408) {
      throw new RegistryUnavailableError(`registry answered HTTP ${status}`, 'http');
    }
    if (status >= 400) {
      throw new RegistryRequestRefusedError(
        `registry refused the request: HTTP ${status} ${text.slice(0, 200)}`,
        status,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RegistryUnavailableError(
        `registry answered something that is not JSON: ${text.slice(0, 80)}`,
        'malformed',
      );
    }
    const parsed = responseSchema.safeParse(json);
    if (!parsed.success) {
      throw new RegistryUnavailableError(
        `registry answer does not follow the SCSP shape: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        'malformed',
      );
    }
    return parsed.data;
  }

  return {
    send: (req) => post(SCSP_PATHS.request, requestSchema.parse(req)),
    answer: (req) => post(SCSP_PATHS.answer, answerRequestSchema.parse(req)),
    close: () => dispatcher.close(),
  };
}
