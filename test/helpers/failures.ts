import { ApplicationFailure } from '@temporalio/common';

/** The `type` of the first ApplicationFailure down an error's cause chain. */
export function failureType(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure) return e.type ?? undefined;
  }
  return undefined;
}

/** Awaits a promise expected to fail, and returns the ApplicationFailure type it failed with. */
export async function rejectionType(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return failureType(err);
  }
  throw new Error('expected the promise to be rejected, but it resolved');
}
