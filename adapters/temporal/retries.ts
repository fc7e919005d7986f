/**
 * The Temporal client's own gRPC retries (the SDK's default interceptor and policy), drainable before the
 * connection closes. The default interceptor plans its next attempt on a timer; a retry still waiting when the
 * connection closes fires on the closed channel and throws "Channel has been shut down" from that timer,
 * outside any request: it failed a whole test suite whose tests had passed (office-lists on CI once, under
 * load), and would throw from an API process that is stopping. Draining lets no new retry start and waits
 * for those already planned (at most the policy's longest backoff).
 */
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

export interface DrainableRetries {
  /** For `Connection.connect({ interceptors: [...] })` or `Connection.lazy`, in place of the default one. */
  interceptor: ReturnType<typeof makeGrpcRetryInterceptor>;
  /** Stops new retries and resolves once the planned ones have fired; then the connection may close. */
  drain(): Promise<void>;
}

export function drainableRetries(): DrainableRetries {
  const defaults = defaultGrpcRetryOptions();
  let draining = false;
  let lastPlannedAt = 0;
  return {
    interceptor: makeGrpcRetryInterceptor({
      retryableDecider: (attempt, status) => !draining && defaults.retryableDecider(attempt, status),
      delayFunction: (attempt, status) => {
        const delay = defaults.delayFunction(attempt, status);
        lastPlannedAt = Math.max(lastPlannedAt, Date.now() + delay);
        return delay;
      },
    }),
    async drain(): Promise<void> {
      draining = true;
      const wait = lastPlannedAt - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait + 50));
    },
  };
}
