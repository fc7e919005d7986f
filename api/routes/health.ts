import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../generated/prisma/client';

export interface HealthRouterDeps {
  temporal: Client;
  prisma: PrismaClient;
}

async function check(probe: () => Promise<unknown>): Promise<{ ok: boolean; detail?: string }> {
  try {
    await probe();
    return { ok: true };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message.split('\n')[0] : 'unreachable' };
  }
}

/** `/health`: the process answers. `/ready`: it can do its work, Temporal and PostgreSQL both reachable. */
export function createHealthRouter(deps: HealthRouterDeps): Router {
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/ready', async (_req, res) => {
    const [temporal, database] = await Promise.all([
      check(() =>
        deps.temporal.connection.withDeadline(Date.now() + 2000, () =>
          deps.temporal.workflowService.getSystemInfo({}),
        ),
      ),
      check(() => deps.prisma.$queryRaw`SELECT 1`),
    ]);
    const ok = temporal.ok && database.ok;
    if (!ok) res.setHeader('Retry-After', '5');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks: { temporal, database } });
  });

  return router;
}
