/**
 * Configuration, read once from the environment and validated: a bad value stops start-up with a message
 * naming the variable, instead of failing later somewhere else.
 */
import { z } from 'zod';
import { PayloadKeyError, parsePayloadKeys } from './payload-codec';
import { DEFAULT_TOKEN_LIFETIME_DAYS, MAX_TOKEN_LIFETIME_DAYS } from './db/staff';

/**
 * A number written in decimal digits (`30`, `1.5`, spaces around allowed). `z.coerce.number()` would read
 * a blank value as 0, `0x50` as 80 and `1e3` as 1000: a typo in a deployment must be refused, not guessed.
 */
function decimal<T extends z.ZodType>(schema: T) {
  return z.preprocess((v, ctx) => {
    if (typeof v !== 'string') return v;
    if (/^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v.trim());
    ctx.issues.push({ code: 'custom', message: 'must be a number written in decimal digits', input: v });
    return z.NEVER;
  }, schema);
}

const booleanFromString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const postgresUrl = z
  .url()
  .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgresql:// connection URL');

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** json for log collectors; pretty for a person at a terminal (npm start). */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port')
    .default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TASK_QUEUE: z.string().min(1).default('ogps-applications'),
  DATABASE_URL: postgresUrl,
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: decimal(z.number().int().min(1).max(65535)).default(3000),
  /** Largest request body the API accepts. */
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/)
    .default('100kb'),
  /** Browser origins allowed to call the API (comma-separated); none by default: CORS closed. */
  CORS_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url().refine((u) => !u.endsWith('/'), 'an origin has no trailing slash')))
    .default([]),
  /** Requests per minute per staff member (and per address before authentication, brute force). */
  RATE_LIMIT_PER_MINUTE: decimal(z.number().int().min(1).max(100_000)).default(600),
  WORKER_MAX_CACHED_WORKFLOWS: decimal(z.number().int().min(0)).default(1000),
  WORKER_MAX_CONCURRENT_ACTIVITIES: decimal(z.number().int().min(1)).default(100),
  /**
   * host:port where the worker serves Temporal's own worker metrics (cache size and evictions, task latencies,
   * slots) for Prometheus at /metrics; unset: not served. Keep it on an internal network.
   */
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$/, 'host:port, for example 127.0.0.1:9464')
    .optional(),
  /**
   * Keys that encrypt what the API and the worker hand to Temporal (AES-256-GCM): `id:base64[,id:base64]`,
   * newest first; the first encrypts, all decrypt (rotation). Unset: payloads are stored in plaintext.
   */
  PAYLOAD_ENCRYPTION_KEYS: z
    .string()
    .superRefine((v, ctx) => {
      try {
        parsePayloadKeys(v);
      } catch (err) {
        if (!(err instanceof PayloadKeyError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message });
      }
    })
    .optional(),
  /**
   * Base URL of the PCI/SCSP platform (Via Oberta / PID), or of the registry simulator. Unset: nothing is
   * consulted and every document is asked of the person.
   */
  REGISTRY_BASE_URL: z.url().optional(),
  /** Time a registry has to answer one request. */
  REGISTRY_TIMEOUT_MS: decimal(z.number().int().min(100).max(120_000)).default(30_000),
  /** PEM files for mutual TLS with the platform: the office's certificate and key, the platform's CA. */
  REGISTRY_TLS_CERT: z.string().min(1).optional(),
  REGISTRY_TLS_KEY: z.string().min(1).optional(),
  REGISTRY_TLS_CA: z.string().min(1).optional(),
  /** NIF of the official responsible for the consultations, sent with each one (with the acting person). */
  REGISTRY_OFFICIAL_NIF: z.string().min(1).default('00000000T'),
  /** Hours a registry may stay unavailable before its documents are asked of the person instead. */
  REGISTRY_FALLBACK_HOURS: decimal(
    z
      .number()
      .min(1)
      .max(24 * 30),
  ).default(24),
  /** SMTP server for email (smtp://user:pass@host:port, smtps:// for TLS); unset: no email is sent. */
  SMTP_URL: z
    .url()
    .refine((u) => /^smtps?:\/\//.test(u), 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('OGPS <no-reply@ogps.local>'),
  /** SMS gateway base URL (POST /messages); unset: no SMS is sent. */
  SMS_GATEWAY_URL: z.url().optional(),
  SMS_API_KEY: z.string().min(1).optional(),
  /** Shared secret the SMS gateway sends with delivery receipts (X-Webhook-Secret); unset: receipts refused. */
  SMS_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Stuck-case thresholds (domain/stuck.ts). */
  STUCK_REGISTRY_HOURS: decimal(
    z
      .number()
      .min(0)
      .max(24 * 30),
  ).default(4),
  STUCK_ACTIVITY_ATTEMPTS: decimal(z.number().int().min(1).max(1000)).default(3),
  STUCK_IDLE_BUSINESS_DAYS: decimal(z.number().int().min(1).max(365)).default(10),
  STUCK_MAX_TIME_BUSINESS_DAYS: decimal(z.number().int().min(0).max(60)).default(5),
  STUCK_REMEDY_REMINDERS: decimal(z.number().int().min(1).max(10)).default(2),
  /** Seconds the stuck counts of /metrics are served before the next whole scan starts in the background. */
  STUCK_CACHE_SECONDS: decimal(z.number().int().min(0).max(3600)).default(30),
  /** Open cases one page of stuck cases reads at most: what a page may cost, whatever the office's size. */
  STUCK_SCAN_BUDGET: decimal(z.number().int().min(100).max(100_000)).default(1000),
  /**
   * Seconds a case action waits for the case to take it before answering 503: while the workers are down the
   * action stays waiting in Temporal, and a person is better told than left with a request that never ends.
   */
  CASE_ACTION_TIMEOUT_SECONDS: decimal(z.number().int().min(1).max(600)).default(30),
  /**
   * Seconds a read of one case waits for its workflow's answer before answering 503: without a worker the
   * query waits until Temporal's own deadline (30 s), a read should answer sooner.
   */
  CASE_READ_TIMEOUT_SECONDS: decimal(z.number().int().min(1).max(120)).default(10),
  /** Seconds a token's staff member is remembered by the API: a revocation takes effect within it, expiry at once. */
  TOKEN_CACHE_SECONDS: decimal(z.number().int().min(0).max(300)).default(15),
  /** Days a staff API token lives when issued without a lifetime of its own (`npm run staff -- token`, the demo). */
  TOKEN_LIFETIME_DAYS: decimal(z.number().int().min(1).max(MAX_TOKEN_LIFETIME_DAYS)).default(
    DEFAULT_TOKEN_LIFETIME_DAYS,
  ),
  /**
   * Days a closed case keeps its personal data before it is anonymised (PostgreSQL) and its workflow
   * histories deleted (Temporal): 1826, five years, the usual term for municipal social-benefit files and
   * beyond the four years in which a repayment can still be demanded (Llei 38/2003 General de Subvencions,
   * art. 39). At least one day: the tests pass a shorter retention and their own clock to the activity.
   */
  RETENTION_DAYS: decimal(
    z
      .number()
      .int()
      .min(1)
      .max(365 * 30),
  ).default(1826),
  /**
   * Days Temporal keeps a closed workflow's history (the namespace's retention), applied by the worker at
   * start; unset: the namespace is left as its operator configured it. Keep it no longer than RETENTION_DAYS
   * (the retention workflow deletes what is left then anyway).
   */
  TEMPORAL_RETENTION_DAYS: decimal(
    z
      .number()
      .int()
      .min(1)
      .max(365 * 30),
  ).optional(),
  /** Counts below this are withheld in the Diputació's aggregated indicators, so no family can be re-identified. */
  INDICATOR_MIN_COUNT: decimal(z.number().int().min(2).max(100)).default(5),
  /** Bearer token Prometheus must send to /metrics; unset: /metrics is open (keep it on an internal network). */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Seed demo applications on an empty database (npm start turns it on for its embedded servers). */
  DEMO_DATA: booleanFromString.default(false),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty variables count as unset, as a shell's `VAR=` usually means.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '(environment)'),
      message: issue.message,
    })),
  );
}

/** For entry points: load the configuration or exit with a message naming every bad variable. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
