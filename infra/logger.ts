import pino from 'pino';

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
