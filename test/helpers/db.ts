import { randomBytes, randomInt } from 'node:crypto';
import { MUNICIPALITY_CODES } from '../../domain/municipalities';
import { dropDatabase, ensureDatabase } from '../../scripts/dev/postgres';
import { createPrisma } from '../../adapters/db/prisma';
import type { PrismaClient } from '../../adapters/db/prisma';
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
  // Test files share one Temporal server, where application numbers are workflow ids: each database numbers
  // from a random point of its own so that two files never file the same number.
  const start = randomInt(1, 900) * 1000;
  await prisma.$executeRaw`
    INSERT INTO application_number_counter (municipality_code, year, last_value)
    SELECT code, y, ${start} FROM unnest(${MUNICIPALITY_CODES}::text[]) AS code,
      generate_series(2020, 2040) AS y`;
  return {
    url: url.toString(),
    prisma,
    drop: async () => {
      await prisma.$disconnect();
      await dropDatabase(admin, name);
    },
  };
}
