/**
 * The Express application, built from its dependencies; api/server.ts makes it listen.
 */
import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../infra/logger';
import { HttpError, errorMiddleware } from './errors';
import { buildOpenApiDocument } from './openapi';
import { createApplicationsRouter } from './routes/applications';
import { createHealthRouter } from './routes/health';
import { createCalendarRouter } from './routes/calendar';
import { createCatalogueRouter } from './routes/catalogue';
import type { ReferenceData } from '../infra/reference-data';

export interface AppDeps {
  temporal: Client;
  prisma: PrismaClient;
  logger: Logger;
  taskQueue: string;
  reference: ReferenceData;
  bodyLimit?: string;
  registryFallbackHours?: number;
}

const DOCS_PAGE = `<!doctype html>
<html lang="ca"><head><meta charset="utf-8"><title>OGPS API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body></html>`;

export function createApp(deps: AppDeps): express.Express {
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
  app.use(express.json({ limit: deps.bodyLimit ?? '100kb' }));

  app.use(createHealthRouter(deps));
  app.use('/applications', createApplicationsRouter(deps));
  app.use('/calendar', createCalendarRouter(deps));
  app.use('/catalogue', createCatalogueRouter(deps));

  const openApi = buildOpenApiDocument();
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

  app.use((req, _res, next) => {
    next(HttpError.notFound(`No route for ${req.method} ${req.path}`));
  });
  app.use(errorMiddleware(deps.logger));
  return app;
}
