/**
 * How Temporal's refusals of a query reach a client (api/errors.ts toAppError), on errors shaped as the
 * Temporal client throws them: its ServiceError with the gRPC status as cause. Isolated on purpose: the
 * server gives "no poller seen" only when no worker has polled the case's task queue for 20 s and the query
 * is about to time out, which a fault test met once by timing (a 500 then).
 */
import { ServiceError } from '@temporalio/client';
import { failedOnQueryBound, isGrpcCancelled } from '../../adapters/temporal/errors';
import { toAppError } from '../../api/errors';

/** A gRPC status error as @grpc/grpc-js gives it: code, details and metadata. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}
const queryRefused = (code: number, details: string) =>
  new ServiceError('Failed to query workflow', { cause: grpcError(code, details) });

describe('Temporal refusing a query, as HTTP', () => {
  it('no worker taking the case’s tasks recently: 503 with Retry-After, the case is not lost', () => {
    const http = toAppError(queryRefused(9, 'no poller seen for task queue recently, worker may be down'));
    expect(http?.status).toBe(503);
    expect(http?.extra.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('Temporal away (UNAVAILABLE) or too slow (DEADLINE_EXCEEDED): 503', () => {
    expect(toAppError(queryRefused(14, 'No connection established'))?.status).toBe(503);
    expect(toAppError(queryRefused(4, 'Deadline exceeded'))?.status).toBe(503);
  });

  it('a workflow task failing: 503 marked for repair, not a plain retry', () => {
    const http = toAppError(queryRefused(9, 'workflow task in failed state'));
    expect(http?.status).toBe(503);
    expect(http?.extra.rejection).toBe('WorkflowTaskFailing');
  });

  it('any other failed precondition is not taken for a dependency away: left to the 500 handler', () => {
    expect(toAppError(queryRefused(9, 'namespace is not active'))).toBeUndefined();
  });

  it('a call reset (CANCELLED) is found down the chain, and is not by itself a dependency away', () => {
    const reset = queryRefused(1, 'Call cancelled');
    expect(isGrpcCancelled(reset)).toBe(true);
    expect(isGrpcCancelled(queryRefused(4, 'Deadline exceeded'))).toBe(false);
    // Only a read at its own deadline counts it as the bound (adapters/temporal/case-client.ts tryRead).
    expect(toAppError(reset)).toBeUndefined();
  });

  it('a query failed on the bound the API gave it: past its deadline, no poller, or reset within its last second', () => {
    const deadline = 1_000_000;
    expect(failedOnQueryBound(queryRefused(4, 'Deadline exceeded'), deadline, deadline - 5000)).toBe(true);
    expect(failedOnQueryBound(queryRefused(9, 'no poller seen for task queue recently'), deadline, 0)).toBe(
      true,
    );
    expect(failedOnQueryBound(queryRefused(1, 'Call cancelled'), deadline, deadline - 500)).toBe(true);
    // Reset well before its deadline, or refused for another reason: not the bound, an error of its own.
    expect(failedOnQueryBound(queryRefused(1, 'Call cancelled'), deadline, deadline - 5000)).toBe(false);
    expect(failedOnQueryBound(queryRefused(9, 'namespace is not active'), deadline, deadline)).toBe(false);
    expect(failedOnQueryBound(queryRefused(14, 'No connection established'), deadline, deadline)).toBe(false);
  });
});
