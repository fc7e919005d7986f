import pino from 'pino';
import type { Logger as TemporalLogger } from '@temporalio/common';

/**
 * Structured logs. Personal data has no place in logs: the fields that could carry it are redacted
 * wherever they appear, so that a careless log call does not leak a household's data.
 */
export function createLogger(
  level: string,
  name: string,
  format: 'json' | 'pretty' = 'json',
  /** Where JSON lines go; standard output by default (tests capture them). */
  destination?: pino.DestinationStream,
): pino.Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    ...(format === 'pretty'
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' },
          },
        }
      : {}),
    redact: {
      paths: [
        '*.applicant',
        '*.documentNumber',
        '*.firstName',
        '*.lastName',
        '*.email',
        '*.phone',
        '*.iban',
        'req.headers.authorization',
        'req.headers.cookie',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = pino.Logger;

/** The Temporal SDK's logger interface over ours, so that the SDK's runtime logs as the process does. */
export function temporalLogger(logger: Logger): TemporalLogger {
  return {
    log: (level, message, meta) =>
      logger[level === 'TRACE' ? 'trace' : (level.toLowerCase() as 'info')](meta ?? {}, message),
    trace: (m, meta) => logger.trace(meta ?? {}, m),
    debug: (m, meta) => logger.debug(meta ?? {}, m),
    info: (m, meta) => logger.info(meta ?? {}, m),
    warn: (m, meta) => logger.warn(meta ?? {}, m),
    error: (m, meta) => logger.error(meta ?? {}, m),
  };
}
