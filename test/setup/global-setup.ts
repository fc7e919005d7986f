/**
 * Starts the real servers the tests run against, once per run:
 * - PostgreSQL: TEST_DATABASE_URL's server when given, else a project-local cluster in .data/test;
 *   a template database is migrated once and every test file copies it (test/helpers/db.ts).
 * - Temporal: TEST_TEMPORAL_ADDRESS when given, else a dev server (in memory) on a free port.
 * The time-skipping test server is started by each workflow suite itself (test/helpers/temporal.ts).
 */
import path from 'node:path';
import { dropDatabase, ensureDatabase, startLocalPostgres } from '../../scripts/dev/postgres';
import { freePort } from '../../scripts/dev/ports';
import { startDevServer } from '../../scripts/dev/temporal';
import { runMigrator } from '../../scripts/dev/run-migrator';
import { Connection } from '@temporalio/client';
import { registerSearchAttributes } from '../../adapters/temporal/search-attributes';
import { APPLICATION_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { state } from './state';

const root = path.resolve(__dirname, '..', '..');
const TEMPLATE_DB = 'ogps_test_template';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const pg = await startLocalPostgres(path.join(root, '.data', 'test', 'postgres'));
    state.stopPostgres = pg.stop;
    adminUrl = pg.baseUrl;
  }
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DB}`;
  await dropDatabase(adminUrl, TEMPLATE_DB);
  await ensureDatabase(adminUrl, TEMPLATE_DB);
  const migrated = runMigrator(['deploy', '--url', templateUrl.toString()]);
  if (migrated.code !== 0) throw new Error(`migrating the test template failed:\n${migrated.out}`);
  process.env.OGPS_TEST_PG_ADMIN_URL = adminUrl;
  process.env.OGPS_TEST_TEMPLATE_DB = TEMPLATE_DB;

  if (process.env.TEST_TEMPORAL_ADDRESS) {
    process.env.OGPS_TEST_TEMPORAL_ADDRESS = process.env.TEST_TEMPORAL_ADDRESS;
  } else {
    const server = await startDevServer({
      port: await freePort(),
      logFile: path.join(root, '.data', 'test', 'temporal-dev-server.log'),
    });
    state.stopTemporal = server.stop;
    process.env.OGPS_TEST_TEMPORAL_ADDRESS = server.address;
  }
  // As the start command does on a real cluster.
  const connection = await Connection.connect({ address: process.env.OGPS_TEST_TEMPORAL_ADDRESS });
  try {
    await registerSearchAttributes(connection, 'default', APPLICATION_SEARCH_ATTRIBUTES);
  } finally {
    await connection.close();
  }
  process.env.OGPS_TEST_SERVER_PATH = path.join(root, '.tools', 'bin', 'temporal-test-server');
  process.stdout.write(`\n[test setup] PostgreSQL and Temporal ready in ${Date.now() - started} ms\n`);
}
