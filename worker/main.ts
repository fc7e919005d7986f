/**
 * Worker process. SIGINT/SIGTERM start a graceful shutdown: running activities finish, then the process
 * closes its connections and exits.
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { loadConfigOrExit } from '../adapters/config';
import { createPrisma } from '../adapters/db/prisma';
import { createLogger, temporalLogger } from '../adapters/logger';
import { loadReferenceData } from '../adapters/reference-data';
import { registerSearchAttributes } from '../adapters/temporal/search-attributes';
import { APPLICATION_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { dataConverterFor } from '../adapters/payload-codec';
import { applyNamespaceRetention, ensureRetentionWorkflow } from '../adapters/temporal/retention';
import { CaseClient } from '../adapters/temporal/case-client';
import { createMailer } from '../adapters/channels/mail';
import type { Mailer } from '../adapters/channels/mail';
import { createSmsGateway } from '../adapters/channels/sms';
import { createScspClient } from '../adapters/scsp/client';
import { createWorker } from './worker';
import type { ActivityDeps } from '../activities';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL, 'worker', config.LOG_FORMAT);
  Runtime.install({
    logger: temporalLogger(logger),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(config.WORKER_METRICS_ADDRESS
        ? {
            metrics: {
              prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS, countersTotalSuffix: true },
            },
          }
        : {}),
    },
  });
  const prisma = createPrisma(config.DATABASE_URL);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  let scsp: ActivityDeps['scsp'];
  let mailer: Mailer | undefined;
  try {
    // Also here, for deployments that start the worker without `npm start` (docker-compose): the workflow
    // cannot index its cases in a namespace that lacks these attributes.
    const added = await registerSearchAttributes(
      connection,
      config.TEMPORAL_NAMESPACE,
      APPLICATION_SEARCH_ATTRIBUTES,
    );
    if (added.length > 0) logger.info({ added }, 'registered search attributes');
    if (config.TEMPORAL_RETENTION_DAYS !== undefined) {
      // Closed histories are purged by Temporal after this many days. A namespace the worker may not change
      // (a managed cluster) keeps its own setting: said loudly, not fatal.
      try {
        const { before, changed } = await applyNamespaceRetention(
          connection,
          config.TEMPORAL_NAMESPACE,
          config.TEMPORAL_RETENTION_DAYS,
        );
        if (changed)
          logger.info({ before, after: config.TEMPORAL_RETENTION_DAYS }, 'namespace retention set (days)');
      } catch (err) {
        logger.warn({ err }, 'could not set the namespace retention (TEMPORAL_RETENTION_DAYS)');
      }
    }
    const reference = loadReferenceData(); // a bad data file stops the worker here, naming the file
    scsp = config.REGISTRY_BASE_URL
      ? {
          client: createScspClient({
            baseUrl: config.REGISTRY_BASE_URL,
            timeoutMs: config.REGISTRY_TIMEOUT_MS,
            tls: { cert: config.REGISTRY_TLS_CERT, key: config.REGISTRY_TLS_KEY, ca: config.REGISTRY_TLS_CA },
          }),
          officialNif: config.REGISTRY_OFFICIAL_NIF,
        }
      : undefined;
    if (!scsp)
      logger.warn(
        'REGISTRY_BASE_URL is not set: no registry is consulted, documents are asked of the person',
      );
    const channels = {
      mail: config.SMTP_URL ? createMailer({ url: config.SMTP_URL, from: config.MAIL_FROM }) : undefined,
      sms: config.SMS_GATEWAY_URL
        ? createSmsGateway({ baseUrl: config.SMS_GATEWAY_URL, apiKey: config.SMS_API_KEY })
        : undefined,
    };
    mailer = channels.mail;
    if (!config.PAYLOAD_ENCRYPTION_KEYS)
      logger.warn('PAYLOAD_ENCRYPTION_KEYS is not set: personal data reaches Temporal in plaintext');
    if (!channels.mail) logger.warn('SMTP_URL is not set: reminders and alerts by email are not sent');
    if (!channels.sms) logger.warn('SMS_GATEWAY_URL is not set: reminders and alerts by SMS are not sent');
    const worker = await createWorker({
      config,
      deps: { prisma, reference: () => reference, scsp, channels, retentionDays: config.RETENTION_DAYS },
      connection,
    });
    // The office's retention loop (workflows/retention.ts): started once, found running by later boots.
    const dataConverter = dataConverterFor(config.PAYLOAD_ENCRYPTION_KEYS);
    const client = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      ...(dataConverter ? { dataConverter } : {}),
    });
    const retentionRun = await ensureRetentionWorkflow(
      new CaseClient(client, { taskQueue: config.TASK_QUEUE }),
    );
    logger.info({ retentionDays: config.RETENTION_DAYS, run: retentionRun }, 'retention workflow running');
    logger.info({ taskQueue: config.TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'worker started');
    await worker.run(); // resolves after SIGINT/SIGTERM once in-flight tasks are done
    logger.info('worker stopped');
  } finally {
    await connection.close();
    await prisma.$disconnect();
    await scsp?.client.close();
    mailer?.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
