/**
 * The one error middleware: renders the one error type (AppError, domain/errors.ts) as RFC 9457
 * problem+json, after mapping what libraries throw (the body parser, Temporal, Prisma) to it. Handlers and
 * services throw; they never write error responses themselves.
 */
import type { ErrorRequestHandler } from 'express';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { AppError, RejectionType } from '../domain/errors';
import { isDatabaseUnavailable } from '../adapters/db/errors';
import type { Logger } from '../adapters/logger';
import {
  findApplicationFailure,
  isTemporalUnavailable,
  isWorkflowTaskFailing,
} from '../adapters/temporal/errors';
import { RepairRefused } from '../services/repair';

/** Refusals that depend on the case's state or history: 409, with the rejection type. */
const CONFLICTS: ReadonlySet<string> = new Set([
  RejectionType.InvalidTransition,
  RejectionType.FourEyesViolation,
  RejectionType.DeadlinePassed,
]);

/** Whether a database or Temporal that cannot be reached (or is restarting) is behind this error. */
export function isDependencyUnavailable(err: unknown): boolean {
  return isTemporalUnavailable(err) || isDatabaseUnavailable(err);
}

/** Maps what the layers below throw to the HTTP error a client should see. */
export function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  const bodyParser = err as { type?: string; status?: number };
  if (bodyParser.type === 'entity.too.large') return new AppError(413, 'Request body too large');
  if (bodyParser.type === 'entity.parse.failed') {
    return AppError.badRequest([{ field: 'body', message: 'is not valid JSON' }]);
  }
  if (bodyParser.type === 'encoding.unsupported' || bodyParser.type === 'charset.unsupported') {
    return new AppError(415, 'Unsupported body encoding');
  }
  // Any other client error the body parser recognised (aborted request, bad content length, ...).
  if (typeof bodyParser.status === 'number' && bodyParser.status >= 400 && bodyParser.status < 500) {
    return new AppError(bodyParser.status, 'Invalid request body');
  }
  if (err instanceof WorkflowNotFoundError) return AppError.notFound('No such application');
  if (err instanceof RepairRefused) {
    return new AppError(409, 'Repair refused', err.message, {
      rejection: 'RepairRefused',
      reason: err.reason,
    });
  }
  if (err instanceof WorkflowUpdateFailedError) {
    const failure = findApplicationFailure(err);
    if (failure?.type && CONFLICTS.has(failure.type)) {
      return new AppError(409, 'Action not allowed in the current state', failure.message, {
        rejection: failure.type,
      });
    }
    if (failure?.type === RejectionType.InvalidInput) {
      return new AppError(422, 'Action refused', failure.message, { rejection: failure.type });
    }
  }
  if (isWorkflowTaskFailing(err)) {
    return new AppError(
      503,
      'Case held by a failing workflow task',
      "El flux de l'expedient no pot fer el pas següent; surt entre els expedients encallats perquè l'oficina el repari. / El flujo del expediente no puede dar el paso siguiente; aparece entre los expedientes atascados para que la oficina lo repare.",
      { retryAfterSeconds: 60, rejection: 'WorkflowTaskFailing' },
    );
  }
  if (isDependencyUnavailable(err)) {
    return AppError.unavailable('A service the office depends on is unreachable; try again shortly');
  }
  return undefined;
}

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toAppError(err);
    const problem = known ?? new AppError(500, 'Internal error', 'The error has been logged');
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
