/**
 * How the simulators refuse a request: `application/problem+json` with a title that says what is wrong
 * (each bad field by its path), for bad fields, bodies that are not JSON, bodies too large and unknown
 * endpoints alike, never Express's HTML error page with a stack trace.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';

/** Every issue as `path: message`, `(body)` for the body itself. */
export function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
}

export function sendProblem(res: Response, status: number, title: string): void {
  res.status(status).type('application/problem+json').json({ status, title });
}

/** body-parser's errors carry their own status (400, 413, 415) and a `type` such as `entity.parse.failed`. */
export function bodyParserProblem(err: unknown): { status: number; title: string } | undefined {
  if (!(err instanceof Error)) return undefined;
  const { type, status } = err as { type?: unknown; status?: unknown };
  if (typeof type !== 'string' || typeof status !== 'number' || status < 400 || status > 499)
    return undefined;
  const title =
    type === 'entity.parse.failed'
      ? `The body is not valid JSON: ${err.message}`
      : `The body: ${err.message}`;
  return { status, title };
}

/** The last two handlers of a simulator's app: unknown endpoints, then every error. */
export function problemHandlers(logger?: Logger): [RequestHandler, ErrorRequestHandler] {
  return [
    (req, res) => sendProblem(res, 404, `No such endpoint: ${req.method} ${req.path}`),
    (err: unknown, _req, res, _next) => {
      const known = bodyParserProblem(err);
      if (known) return sendProblem(res, known.status, known.title);
      logger?.error({ err }, 'simulator error');
      return sendProblem(res, 500, 'Simulator error');
    },
  ];
}
