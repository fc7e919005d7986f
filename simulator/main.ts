/**
 * The simulated external services, each as its own process (`npm run simulator -- <kind>`; started by
 * `npm start` and by the tests): `registries` (PCI/SCSP, HTTP), `smtp` (a capturing mail server, with an
 * HTTP admin side) and `sms` (an SMS gateway, HTTP). SIMULATOR_HOST, SIMULATOR_PORT (0 picks a free port),
 * SIMULATOR_ADMIN_PORT (smtp's HTTP side), SMS_RECEIPT_URL and SMS_WEBHOOK_SECRET (sms). Prints
 * `<kind> simulator listening on <url>[ admin <url>]` once it accepts requests, which is what the scripts
 * that start it wait for.
 */
import { once } from 'node:events';
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createLogger } from '../adapters/logger';
import { createSimulatorApp } from './app';
import { createSmsGatewayApp } from './sms';
import { createSmtpCapture } from './smtp';

const env = z
  .object({
    SIMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
    SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    SIMULATOR_ADMIN_PORT: z.coerce.number().int().min(0).max(65535).default(0),
    SMS_RECEIPT_URL: z.url().optional(),
    SMS_WEBHOOK_SECRET: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .safeParse(process.env);
const kind = z.enum(['registries', 'smtp', 'sms']).safeParse(process.argv[2] ?? 'registries');
if (!env.success || !kind.success) {
  const issues = [...(env.error?.issues ?? []), ...(kind.error?.issues ?? [])];
  console.error(
    `simulator: bad configuration: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
  );
  process.exit(2);
}
const { SIMULATOR_HOST: host, SIMULATOR_PORT: port, LOG_LEVEL: level } = env.data;

async function main(): Promise<void> {
  const logger = createLogger(level, `${kind.data}-simulator`);
  const servers: Server[] = [];
  let line: string;
  if (kind.data === 'smtp') {
    const { smtp, admin } = createSmtpCapture({ logger });
    const smtpServer = smtp.listen(port, host);
    await once(smtpServer, 'listening');
    const smtpPort = (smtpServer.address() as AddressInfo).port;
    const adminServer = admin.listen(env.data!.SIMULATOR_ADMIN_PORT, host);
    await once(adminServer, 'listening');
    servers.push(smtpServer, adminServer);
    line = `smtp://${host}:${smtpPort} admin http://${host}:${(adminServer.address() as AddressInfo).port}`;
  } else {
    const app =
      kind.data === 'sms'
        ? createSmsGatewayApp({
            receiptUrl: env.data!.SMS_RECEIPT_URL,
            receiptSecret: env.data!.SMS_WEBHOOK_SECRET,
            logger,
          })
        : createSimulatorApp({ logger });
    const server = app.listen(port, host);
    await once(server, 'listening');
    servers.push(server);
    line = `http://${host}:${(server.address() as AddressInfo).port}`;
  }
  // Plain stdout, before any log line that could be buffered: the starter waits for exactly this.
  process.stdout.write(`${kind.data} simulator listening on ${line}\n`);
  const stop = (): void => {
    let open = servers.length;
    for (const s of servers) {
      s.close(() => {
        if (--open === 0) process.exit(0);
      });
      (s as { closeAllConnections?: () => void }).closeAllConnections?.();
    }
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(`simulator: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
