import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase } from '../../scripts/dev/postgres';
import { createPrisma } from '../../infra/db';
import type { PrismaClient } from '../../infra/db';
import { testEnv } from './env';

export interface TestDatabase {
  url: string;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own (a copy of the template the global setup migrated). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = testEnv('OGPS_TEST_PG_ADMIN_URL');
  const name = `t_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(admin, name, testEnv('OGPS_TEST_TEMPLATE_DB'));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const prisma = createPrisma(url.toString());
  return {
    url: url.toString(),
    prisma,
    drop: async () => {
      await prisma.$disconnect();
      await dropDatabase(admin, name);
    },
  };
}
