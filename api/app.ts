/**
 * The Express application, built from its dependencies; api/server.ts makes it listen.
 */
import path from 'node:path';
import cors from 'cors';
import express from 'express';
import type { Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../adapters/logger';
import { auditTrail, createAuditWriter } from './audit';
import type { AuditWriter } from './audit';
import { authenticate, failedAuthentications } from './auth';
import { AppError } from '../domain/errors';
import { errorMiddleware } from './errors';
import { buildOpenApiDocument } from './openapi';
import { createApplicationsRouter } from './features/applications/router';
import { createHealthRouter } from './features/health/router';
import { createCalendarRouter } from './features/calendar/router';
import { createCatalogueRouter } from './features/catalogue/router';
import { createStaffRouter } from './features/staff/router';
import { createCoordinationRouter } from './features/coordination/router';
import { createMetrics } from './metrics';
import { createCoordination } from '../services/coordination';
import { CaseClient } from '../adapters/temporal/case-client';
import { createIndicators } from '../services/indicators';
import { createIndicatorsRouter } from './features/indicators/router';
import { DEFAULT_STUCK_THRESHOLDS } from '../domain/stuck';
import type { StuckThresholds } from '../domain/stuck';
import { createWebhooksRouter } from './features/webhooks/router';
import { createCodecRouter } from './features/codec/router';
import { createSubjectAccessRouter } from './features/subject-access/router';
import type { ReferenceData } from '../adapters/reference-data';
import { createHistoryReplayer } from '../worker/replayer';
import type { HistoryReplayer } from '../adapters/temporal/replay';

export interface AppDeps {
  temporal: Client;
  prisma: PrismaClient;
  logger: Logger;
  taskQueue: string;
  reference: ReferenceData;
  bodyLimit?: string;
  registryFallbackHours?: number;
  /** Seconds a case action waits for the case to take it (CASE_ACTION_TIMEOUT_SECONDS); 30 by default. */
  caseActionTimeoutSeconds?: number | undefined;
  /** Seconds a read of a case waits for its workflow to answer (CASE_READ_TIMEOUT_SECONDS); 10 by default. */
  caseReadTimeoutSeconds?: number | undefined;
  /** Browser origins allowed by CORS; none by default. */
  corsOrigins?: string[];
  /** Requests per minute per staff member. */
  rateLimitPerMinute?: number;
  /** Shared secret of the SMS gateway's delivery receipts. */
  smsWebhookSecret?: string | undefined;
  /** Thresholds of the stuck-case rules. */
  stuckThresholds?: StuckThresholds;
  /** Seconds the metrics' stuck counts are served before the next whole scan starts (STUCK_CACHE_SECONDS). */
  stuckCacheSeconds?: number | undefined;
  /** Open cases a page of stuck cases reads at most (STUCK_SCAN_BUDGET). */
  stuckScanBudget?: number | undefined;
  /** Bearer token for /metrics; none: open. */
  metricsToken?: string | undefined;
  /** Counts below this are withheld in the aggregated indicators (default 5). */
  indicatorMinCount?: number | undefined;
  /** Seconds a token's staff member is remembered (TOKEN_CACHE_SECONDS); 0: looked up on every request. */
  tokenCacheSeconds?: number | undefined;
  /** The time tokens are checked against (their expiry); the system clock by default (tests move it). */
  tokenClock?: (() => Date) | undefined;
  /** The payload codec shared with the Temporal client, for the Temporal UI's codec endpoint. */
  payloadCodec?: PayloadCodec | undefined;
  /** Where audit rows go; by default a batching writer the caller can reach as `app.locals.audit`. */
  audit?: AuditWriter | undefined;
  /**
   * Replays histories with the workers' code, for repairs; by default the workflows are bundled from source
   * on the first repair (the API process gives the bundle `npm run build` wrote).
   */
  replay?: HistoryReplayer | undefined;
}

const DOCS_PAGE = `<!doctype html>
<html lang="ca"><head><meta charset="utf-8"><title>OGPS API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body></html>`;

/** The methods the OpenAPI document declares for a path (HEAD with GET), or undefined for a path it does not. */
function allowedMethods(
  document: ReturnType<typeof buildOpenApiDocument>,
): (path: string) => string[] | undefined {
  const templates = Object.entries(document.paths ?? {}).map(([template, item]) => {
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
    const methods = Object.keys(item ?? {})
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => m.toUpperCase());
    return {
      regex: new RegExp(`^${pattern}/?$`),
      methods: methods.includes('GET') ? [...methods, 'HEAD'] : methods,
    };
  });
  return (path) => {
    const found = templates.filter((t) => t.regex.test(path)).flatMap((t) => t.methods);
    return found.length > 0 ? [...new Set(found)] : undefined;
  };
}

export function createApp(deps: AppDeps): express.Express {
  const openApi = buildOpenApiDocument();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  app.use(
    pinoHttp({
      logger: deps.logger,
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/ready' },
      // Method, path and status only: headers may carry credentials and query strings personal data.
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    }),
  );
  // Closed unless origins are configured: the staff front end is expected on the same origin.
  app.use(cors({ origin: deps.corsOrigins?.length ? deps.corsOrigins : false, maxAge: 600 }));
  app.use(express.json({ limit: deps.bodyLimit ?? '100kb' }));

  app.use(createHealthRouter(deps));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use('/docs/assets', express.static(path.dirname(require.resolve('swagger-ui-dist/package.json'))));
  app.get('/docs/init.js', (_req, res) => {
    res
      .type('application/javascript')
      .send("SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });");
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_PAGE);
  });
  // The coordinators' page: static files; what it shows comes from the staff API with the person's token.
  app.use('/office', express.static(path.join(__dirname, 'public', 'office'), { index: 'index.html' }));
  // Chart.js for the indicators page, served from the locked package: no CDN, nothing downloaded at run time.
  // (Its package exports no dist path, so the file is found next to the package's main module.)
  const chartJs = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  app.get('/office/vendor/chart.umd.min.js', (_req, res) => {
    res.sendFile(chartJs);
  });

  // Browsers ask for it on every page; without one it would be a 401 from the staff API below.
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.use('/webhooks', createWebhooksRouter(deps));

  // The one way to the cases' workflows, with the office's bounds on reads and actions.
  const cases = new CaseClient(deps.temporal, {
    taskQueue: deps.taskQueue,
    readTimeoutSeconds: deps.caseReadTimeoutSeconds,
    actionTimeoutSeconds: deps.caseActionTimeoutSeconds,
  });
  const coordination = createCoordination({
    prisma: deps.prisma,
    cases,
    calendar: deps.reference.calendar,
    thresholds: deps.stuckThresholds ?? DEFAULT_STUCK_THRESHOLDS,
    stuckCacheSeconds: deps.stuckCacheSeconds ?? 0,
    ...(deps.stuckScanBudget ? { scanBudget: deps.stuckScanBudget } : {}),
  });
  const metrics = createMetrics({ prisma: deps.prisma, coordination });
  app.get('/metrics', async (req, res) => {
    if (deps.metricsToken && req.get('authorization') !== `Bearer ${deps.metricsToken}`) {
      throw AppError.unauthorized('Send the metrics token: Authorization: Bearer <METRICS_TOKEN>');
    }
    res.type(metrics.contentType).send(await metrics.metrics());
  });

  // Everything below is the staff API: audited, authenticated, rate limited per person.
  const perMinute = deps.rateLimitPerMinute ?? 600;
  const limited = (limit: number, key: (req: Request) => string) =>
    rateLimit({
      windowMs: 60_000,
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: key,
      handler: (_req, _res, next, options) => {
        next(AppError.tooManyRequests(Math.ceil(options.windowMs / 1000)));
      },
    });
  const audit = deps.audit ?? createAuditWriter({ prisma: deps.prisma, logger: deps.logger });
  app.locals.audit = audit;
  app.use(auditTrail({ audit, logger: deps.logger }));
  app.use(
    authenticate({
      prisma: deps.prisma,
      cacheSeconds: deps.tokenCacheSeconds ?? 0,
      ...(deps.tokenClock ? { clock: deps.tokenClock } : {}),
      // By address, failed authentications only: guessing tokens is slowed down, and nobody with a valid token
      // is held back by what others from the same address (an office behind one router) did.
      failures: failedAuthentications(perMinute * 2),
    }),
  );
  app.use(limited(perMinute, (req) => `staff:${req.staff?.id ?? 'unknown'}`));
  app.use(createStaffRouter(deps));
  const replay =
    deps.replay ??
    createHistoryReplayer({
      workflowsPath: require.resolve('../workflows'),
      dataConverter: deps.payloadCodec ? { payloadCodecs: [deps.payloadCodec] } : undefined,
    });
  app.use('/coordination', createCoordinationRouter({ prisma: deps.prisma, cases, coordination, replay }));
  app.use('/codec', createCodecRouter({ codec: deps.payloadCodec }));
  app.use(
    '/indicators',
    createIndicatorsRouter({
      ...deps,
      indicators: createIndicators({ prisma: deps.prisma, calendar: deps.reference.calendar }),
    }),
  );
  app.use('/applications', createApplicationsRouter({ ...deps, cases }));
  app.use('/subject-access-requests', createSubjectAccessRouter({ prisma: deps.prisma, cases }));
  app.use('/calendar', createCalendarRouter(deps));
  app.use('/catalogue', createCatalogueRouter(deps));

  const allowed = allowedMethods(openApi);
  app.use((req, res, next) => {
    // A path the API serves, asked with a method it does not: 405 naming the methods it takes.
    const methods = allowed(req.path);
    if (methods) {
      res.setHeader('Allow', methods.join(', '));
      next(
        new AppError(405, 'Method not allowed', `${req.path} takes ${methods.join(', ')}, not ${req.method}`),
      );
      return;
    }
    next(AppError.notFound(`No route for ${req.method} ${req.path}`));
  });
  app.use(errorMiddleware(deps.logger));
  return app;
}
