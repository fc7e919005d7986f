/** Whether the API can do its work: Temporal and PostgreSQL both reachable, each checked within 2 s. */
import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../generated/prisma/client';

export interface Check {
  ok: boolean;
  detail?: string;
}

async function check(probe: () => Promise<unknown>): Promise<Check> {
  try {
    await probe();
    return { ok: true };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message.split('\n')[0] : 'unreachable' };
  }
}

export async function readiness(deps: {
  temporal: Client;
  prisma: PrismaClient;
}): Promise<{ ok: boolean; checks: { temporal: Check; database: Check } }> {
  const [temporal, database] = await Promise.all([
    check(() =>
      deps.temporal.connection.withDeadline(Date.now() + 2000, () =>
        deps.temporal.workflowService.getSystemInfo({}),
      ),
    ),
    check(() => deps.prisma.$queryRaw`SELECT 1`),
  ]);
  return { ok: temporal.ok && database.ok, checks: { temporal, database } };
}
