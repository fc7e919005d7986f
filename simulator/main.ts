/**
 * The registry simulator as its own process (`npm run simulator`; started by `npm start` and by the tests):
 * SIMULATOR_HOST and SIMULATOR_PORT (0 picks a free port). Prints `simulator listening on <url>` once it
 * accepts requests, which is what the scripts that start it wait for.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createLogger } from '../infra/logger';
import { createSimulatorApp } from './app';

const env = z
  .object({
    SIMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
    SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .safeParse(process.env);
if (!env.success) {
  console.error(
    `simulator: bad configuration: ${env.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
  );
  process.exit(2);
}
const { SIMULATOR_HOST: host, SIMULATOR_PORT: port, LOG_LEVEL: level } = env.data;

async function main(): Promise<void> {
  const logger = createLogger(level, 'registry-simulator');
  const server = createSimulatorApp({ logger }).listen(port, host);
  await once(server, 'listening');
  const { port: actual } = server.address() as AddressInfo;
  // Plain stdout, before any log line that could be buffered: the starter waits for exactly this.
  process.stdout.write(`simulator listening on http://${host}:${actual}\n`);
  const stop = (): void => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(`simulator: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
