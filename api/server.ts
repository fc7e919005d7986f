/**
 * API process: builds the app and listens. SIGINT/SIGTERM stop accepting connections, let requests in
 * flight finish, then close the Temporal and PostgreSQL connections.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../adapters/config';
import { createPrisma } from '../adapters/db/prisma';
import { createLogger } from '../adapters/logger';
import { dataConverterFor } from '../adapters/payload-codec';
import { drainableRetries } from '../adapters/temporal/retries';
import { loadReferenceData } from '../adapters/reference-data';
import { createHistoryReplayer } from '../worker/replayer';
import { createApp } from './app';
import { answerClientErrors } from './client-errors';
import { createAuditWriter } from './audit';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL, 'api', config.LOG_FORMAT);
  const prisma = createPrisma(config.DATABASE_URL);
  // Lazy: the API starts and answers /health and 503s while Temporal is still coming up.
  const retries = drainableRetries();
  const connection = Connection.lazy({
    address: config.TEMPORAL_ADDRESS,
    interceptors: [retries.interceptor],
  });
  const dataConverter = dataConverterFor(config.PAYLOAD_ENCRYPTION_KEYS);
  if (!dataConverter)
    logger.warn('PAYLOAD_ENCRYPTION_KEYS is not set: personal data reaches Temporal in plaintext');
  const temporal = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(dataConverter ? { dataConverter } : {}),
  });
  const reference = loadReferenceData(); // throws with the bad file named: nothing is served on bad data
  const audit = createAuditWriter({ prisma, logger });
  // Repairs replay histories with the code the workers run: the bundle `npm run build` wrote beside them.
  const workflowBundle = path.join(__dirname, '..', 'worker', 'workflow-bundle.js');
  const replay = createHistoryReplayer({
    ...(existsSync(workflowBundle)
      ? { workflowBundle: { codePath: workflowBundle } }
      : { workflowsPath: require.resolve('../workflows') }),
    dataConverter,
    logger,
  });
  const app = createApp({
    audit,
    replay,
    payloadCodec: dataConverter?.payloadCodecs[0],
    tokenCacheSeconds: config.TOKEN_CACHE_SECONDS,
    temporal,
    prisma,
    reference,
    logger,
    taskQueue: config.TASK_QUEUE,
    bodyLimit: config.BODY_LIMIT,
    registryFallbackHours: config.REGISTRY_FALLBACK_HOURS,
    caseActionTimeoutSeconds: config.CASE_ACTION_TIMEOUT_SECONDS,
    caseReadTimeoutSeconds: config.CASE_READ_TIMEOUT_SECONDS,
    corsOrigins: config.CORS_ORIGINS,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    smsWebhookSecret: config.SMS_WEBHOOK_SECRET,
    metricsToken: config.METRICS_TOKEN,
    indicatorMinCount: config.INDICATOR_MIN_COUNT,
    stuckCacheSeconds: config.STUCK_CACHE_SECONDS,
    stuckScanBudget: config.STUCK_SCAN_BUDGET,
    stuckThresholds: {
      registryUnavailableHours: config.STUCK_REGISTRY_HOURS,
      activityAttempts: config.STUCK_ACTIVITY_ATTEMPTS,
      idleBusinessDays: config.STUCK_IDLE_BUSINESS_DAYS,
      maxTimeBusinessDays: config.STUCK_MAX_TIME_BUSINESS_DAYS,
      remedyReminders: config.STUCK_REMEDY_REMINDERS,
    },
  });

  const server = app.listen(config.PORT, config.HOST);
  answerClientErrors(server);
  await once(server, 'listening');
  logger.info({ url: `http://${config.HOST}:${config.PORT}` }, 'API listening');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'API stopping');
    server.close(() => {
      // The audit rows of the last requests are written before the database connection goes.
      void audit
        .close()
        // A client retry still planned would fire on the closed channel and throw while the process exits.
        .then(() =>
          Promise.allSettled([retries.drain().then(() => connection.close()), prisma.$disconnect()]),
        )
        .then(() => process.exit(0));
    });
    server.closeIdleConnections();
    // Requests that hang do not hold the process forever.
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `API failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
