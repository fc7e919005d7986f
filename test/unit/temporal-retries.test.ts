/**
 * The Temporal client's retries, drained before its connection closes (adapters/temporal/retries.ts): a call
 * retrying against a server that does not answer ends with UNAVAILABLE once the retries are drained and the
 * connection closed. With the SDK's default interceptor instead, the retry planned at close fires on the
 * closed channel and throws "Channel has been shut down" from its timer, and the call never ends (seen on a
 * CI run; the API process closes its connection the same way when it stops).
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Connection } from '@temporalio/client';
import { drainableRetries } from '../../adapters/temporal/retries';

async function deadAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

describe('the Temporal client’s retries, drained before closing', () => {
  it('end a retrying call with UNAVAILABLE, and nothing fires on the closed channel', async () => {
    const thrown: unknown[] = [];
    const onUncaught = (err: unknown) => thrown.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const retries = drainableRetries();
      const connection = Connection.lazy({
        address: await deadAddress(),
        interceptors: [retries.interceptor],
      });
      const call = connection.workflowService.getSystemInfo({}).then(
        () => 'answered',
        (err: unknown) => err,
      );
      // Long enough for the first attempts to fail and a retry to be planned on its timer.
      await new Promise((r) => setTimeout(r, 500));
      await retries.drain();
      await connection.close();
      const outcome = await call;
      expect(outcome).toMatchObject({ code: 14 }); // UNAVAILABLE
      // The policy's retries are a few seconds apart at most: none may still fire.
      await new Promise((r) => setTimeout(r, 1500));
      expect(thrown).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  }, 30_000);
});
