import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../../generated/prisma/client';
import { readiness } from '../../../services/health';

export interface HealthRouterDeps {
  temporal: Client;
  prisma: PrismaClient;
}

/** `/health`: the process answers. `/ready`: it can do its work, Temporal and PostgreSQL both reachable. */
export function createHealthRouter(deps: HealthRouterDeps): Router {
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/ready', async (_req, res) => {
    const { ok, checks } = await readiness(deps);
    if (!ok) res.setHeader('Retry-After', '5');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks });
  });

  return router;
}
