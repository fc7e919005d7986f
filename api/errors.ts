/**
 * One error type carrying its HTTP status, rendered by one middleware as RFC 9457 problem+json. Handlers
 * throw; they never write error responses themselves.
 */
import type { ErrorRequestHandler } from 'express';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  isGrpcDeadlineError,
  isGrpcServiceError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { RejectionType } from '../domain/errors';
import type { Logger } from '../infra/logger';
import { RepairRefused } from '../infra/repair';

export interface FieldError {
  /** Where the bad value is: `body.applicant.documentNumber`, `params.id`, `query.limit`. */
  field: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: {
      errors?: FieldError[];
      retryAfterSeconds?: number;
      rejection?: string;
      /** With 403: the roles that may do what was refused. */
      allowedRoles?: string[];
      /** With 409 for a duplicate: the case that already exists. */
      existingApplicationId?: string;
      /** With 409 for a refused repair: why (not_held, not_a_replay_mismatch, ...). */
      reason?: string;
    } = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpError';
  }

  static badRequest(errors: FieldError[]): HttpError {
    return new HttpError(400, 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
      errors,
    });
  }

  static notFound(detail: string): HttpError {
    return new HttpError(404, 'Not found', detail);
  }

  static unauthorized(detail: string): HttpError {
    return new HttpError(401, 'Not authenticated', detail);
  }

  static forbidden(detail: string, allowedRoles?: string[]): HttpError {
    return new HttpError(403, 'Not allowed', detail, allowedRoles ? { allowedRoles } : {});
  }

  static tooManyRequests(retryAfterSeconds: number): HttpError {
    return new HttpError(429, 'Too many requests', `Slow down: try again in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }

  static unavailable(detail: string, retryAfterSeconds = 5): HttpError {
    return new HttpError(503, 'Service unavailable', detail, { retryAfterSeconds });
  }
}

/** The first ApplicationFailure down an error's cause chain. */
export function findApplicationFailure(err: unknown): ApplicationFailure | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure) return e;
  }
  return undefined;
}

/** Refusals that depend on the case's state or history: 409, with the rejection type. */
const CONFLICTS: ReadonlySet<string> = new Set([
  RejectionType.InvalidTransition,
  RejectionType.FourEyesViolation,
  RejectionType.DeadlinePassed,
]);

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  // PostgreSQL: shut down by an administrator or a crash, starting up, connection lost or refused.
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  // Prisma: cannot reach the server, timed out, connection closed, no connection free in the pool.
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
]);

/** What Prisma's driver adapter says the database answered (`meta.driverAdapterError.cause`). */
interface AdapterCause {
  kind?: unknown;
  code?: unknown;
  originalCode?: unknown;
}

/** A gRPC status `code` (its message matching `message`, when given) anywhere down an error's cause chain. */
function hasGrpcStatus(err: unknown, code: number, message?: RegExp): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e) && Number(e.code) === code && (!message || message.test(e.message)))
      return true;
  }
  return false;
}

/**
 * FAILED_PRECONDITION "no poller seen for task queue recently": no worker is taking the case's tasks now (down
 * or restarting), so a query cannot be answered; a retry later can.
 */
export function isNoRecentPoller(err: unknown): boolean {
  return hasGrpcStatus(err, 9, /no poller seen/i);
}

/** gRPC CANCELLED (1) down the cause chain: the call was reset, by the server or on the way. */
export function isGrpcCancelled(err: unknown): boolean {
  return hasGrpcStatus(err, 1);
}

/** How long a read of a case waits for its workflow when not configured (CASE_READ_TIMEOUT_SECONDS's default). */
export const DEFAULT_CASE_READ_TIMEOUT_SECONDS = 10;

/**
 * Whether a query given `deadline` (ms since the epoch) failed on that bound: DEADLINE_EXCEEDED; "no poller
 * seen", which the server answers a second before the deadline when no worker polls the case's queue; or
 * CANCELLED within that second, the server resetting the call at the deadline it was given (seen on a fault
 * test while the worker was killed). Any other CANCELLED is an error of its own.
 */
export function failedOnQueryBound(err: unknown, deadline: number, now = Date.now()): boolean {
  return (
    isGrpcDeadlineError(err) || isNoRecentPoller(err) || (now >= deadline - 1000 && isGrpcCancelled(err))
  );
}

/** Whether a database or Temporal that cannot be reached (or is restarting) is behind this error. */
export function isDependencyUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    // gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4): Temporal is away.
    if (isGrpcServiceError(e) && [14, 4].includes(Number(e.code))) return true;
    if (isNoRecentPoller(e)) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    // A session PostgreSQL cut while restarting comes wrapped in a Prisma error of its own code (P2039).
    const cause = (e as { meta?: { driverAdapterError?: { cause?: AdapterCause } } }).meta?.driverAdapterError
      ?.cause;
    if (cause?.kind === 'DatabaseNotReachable') return true;
    for (const c of [cause?.code, cause?.originalCode]) {
      if (typeof c === 'string' && UNAVAILABLE_CODES.has(c)) return true;
    }
    if (e.name === 'DriverAdapterError' && /ECONNREFUSED|terminat|connect/i.test(e.message)) return true;
  }
  return false;
}

/**
 * Whether Temporal refused a query or update because the case's workflow task keeps failing (a bug, or a
 * replay that does not match its history): the case is held, not gone, and needs a coordinator's repair
 * (POST /coordination/repairs) or an engineer, not a retry by the person; coordinators see it among the
 * stuck cases.
 */
export function isWorkflowTaskFailing(err: unknown): boolean {
  return hasGrpcStatus(err, 9, /workflow task in failed state/i);
}

/** Maps what the layers below throw to the HTTP error a client should see. */
export function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  const bodyParser = err as { type?: string; status?: number };
  if (bodyParser.type === 'entity.too.large') return new HttpError(413, 'Request body too large');
  if (bodyParser.type === 'entity.parse.failed') {
    return HttpError.badRequest([{ field: 'body', message: 'is not valid JSON' }]);
  }
  if (bodyParser.type === 'encoding.unsupported' || bodyParser.type === 'charset.unsupported') {
    return new HttpError(415, 'Unsupported body encoding');
  }
  // Any other client error the body parser recognised (aborted request, bad content length, ...).
  if (typeof bodyParser.status === 'number' && bodyParser.status >= 400 && bodyParser.status < 500) {
    return new HttpError(bodyParser.status, 'Invalid request body');
  }
  if (err instanceof WorkflowNotFoundError) return HttpError.notFound('No such application');
  if (err instanceof RepairRefused) {
    return new HttpError(409, 'Repair refused', err.message, {
      rejection: 'RepairRefused',
      reason: err.reason,
    });
  }
  if (err instanceof WorkflowUpdateFailedError) {
    const failure = findApplicationFailure(err);
    if (failure?.type && CONFLICTS.has(failure.type)) {
      return new HttpError(409, 'Action not allowed in the current state', failure.message, {
        rejection: failure.type,
      });
    }
    if (failure?.type === RejectionType.InvalidInput) {
      return new HttpError(422, 'Action refused', failure.message, { rejection: failure.type });
    }
  }
  if (isWorkflowTaskFailing(err)) {
    return new HttpError(
      503,
      'Case held by a failing workflow task',
      "El flux de l'expedient no pot fer el pas següent; surt entre els expedients encallats perquè l'oficina el repari. / El flujo del expediente no puede dar el paso siguiente; aparece entre los expedientes atascados para que la oficina lo repare.",
      { retryAfterSeconds: 60, rejection: 'WorkflowTaskFailing' },
    );
  }
  if (isDependencyUnavailable(err)) {
    return HttpError.unavailable('A service the office depends on is unreachable; try again shortly');
  }
  return undefined;
}

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toHttpError(err);
    const problem = known ?? new HttpError(500, 'Internal error', 'The error has been logged');
    if (!known) logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
    // Held by a failing workflow task: the person gets a 503, an engineer must look.
    else if (known.extra.rejection === 'WorkflowTaskFailing') {
      logger.error({ err, method: req.method, path: req.path }, 'case held by a failing workflow task');
    }
    if (problem.extra.retryAfterSeconds)
      res.setHeader('Retry-After', String(problem.extra.retryAfterSeconds));
    if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="ogps"');
    res
      .status(problem.status)
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title: problem.title,
        status: problem.status,
        ...(problem.detail ? { detail: problem.detail } : {}),
        instance: req.originalUrl.split('?')[0],
        ...(problem.extra.errors ? { errors: problem.extra.errors } : {}),
        ...(problem.extra.rejection ? { rejection: problem.extra.rejection } : {}),
        ...(problem.extra.allowedRoles ? { allowedRoles: problem.extra.allowedRoles } : {}),
        ...(problem.extra.reason ? { reason: problem.extra.reason } : {}),
        ...(problem.extra.existingApplicationId
          ? { existingApplicationId: problem.extra.existingApplicationId }
          : {}),
      });
  };
}
