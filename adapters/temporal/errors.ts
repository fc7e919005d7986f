/**
 * What Temporal's client throws, read: which refusals mean the case cannot be reached now (503 with
 * Retry-After), which mean it is held by a failing workflow task, and the business rejection inside a failed
 * update. Predicates only: the case client and the API's error middleware decide what the person is told.
 */
import { isGrpcDeadlineError, isGrpcServiceError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

/** The first ApplicationFailure down an error's cause chain. */
export function findApplicationFailure(err: unknown): ApplicationFailure | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure) return e;
  }
  return undefined;
}

/** gRPC status codes the adapters tell apart (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GrpcStatus = { NOT_FOUND: 5, ALREADY_EXISTS: 6, UNIMPLEMENTED: 12 } as const;

/** The gRPC status code of an error the client or a connection's service threw, if it carries one. */
export function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
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

/** Temporal away (gRPC UNAVAILABLE, DEADLINE_EXCEEDED) or no worker taking the case's tasks: retry later. */
export function isTemporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e) && [14, 4].includes(Number(e.code))) return true;
  }
  return isNoRecentPoller(err);
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
