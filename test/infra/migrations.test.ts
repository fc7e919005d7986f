import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase } from '../helpers/db';
import type { TestDatabase } from '../helpers/db';
import { dropDatabase, ensureDatabase } from '../../scripts/dev/postgres';
import { testEnv } from '../helpers/env';
import { runMigrator } from '../../scripts/dev/run-migrator';

const root = path.resolve(__dirname, '..', '..');

/** The migrator as CI runs it, without the Jest worker's Node options. */
const migrate = (args: string[]) => runMigrator(args, { ...process.env, NODE_OPTIONS: '' });

/** An empty database of its own (not the migrated template), for the migrator to work on. */
async function emptyDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = testEnv('OGPS_TEST_PG_ADMIN_URL');
  await dropDatabase(admin, name);
  await ensureDatabase(admin, name);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => dropDatabase(admin, name) };
}

describe('offline migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('records every migration in _prisma_migrations as prisma migrate deploy does', async () => {
    const dirs = readdirSync(path.join(root, 'prisma', 'migrations'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const rows = await db.prisma.$queryRaw<
      { migration_name: string; checksum: string; finished_at: Date | null }[]
    >`
      SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name`;
    expect(rows.map((r) => r.migration_name)).toEqual(dirs);
    for (const row of rows) {
      // Prisma's checksum is the SHA-256 of the migration file: the same rows `migrate deploy` would write.
      const sql = readFileSync(path.join(root, 'prisma', 'migrations', row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).not.toBeNull();
    }
  });

  it('applies nothing twice', async () => {
    expect(migrate(['deploy', '--url', db.url])).toEqual({ code: 0, out: 'no pending migrations\n' });
  });

  it('finds schema.prisma and prisma/migrations in agreement', async () => {
    const scratch = await emptyDatabase('drift_check_same');
    try {
      const result = migrate(['check', '--url', scratch.url]);
      expect(result).toEqual({ code: 0, out: 'schema.prisma and prisma/migrations agree\n' });
    } finally {
      await scratch.drop();
    }
  });

  it('fails when schema.prisma has a change no migration carries', async () => {
    const scratch = await emptyDatabase('drift_check_changed');
    const schema = readFileSync(path.join(root, 'prisma', 'schema.prisma'), 'utf8').replace(
      '  language         String             @default("ca")',
      '  language         String             @default("ca")\n  phoneNumber      String?            @map("phone_number")',
    );
    expect(schema).toContain('phone_number');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ogps-schema-'));
    writeFileSync(path.join(dir, 'schema.prisma'), schema);
    try {
      const result = migrate(['check', '--url', scratch.url, '--schema', path.join(dir, 'schema.prisma')]);
      expect(result.code).toBe(2);
      expect(result.out).toContain('ALTER TABLE "application" ADD COLUMN     "phone_number" TEXT');
    } finally {
      await scratch.drop();
    }
  });

  it('leaves a usable schema: the application tables exist with their unique keys', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ indexname: string }>(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'application_event' ORDER BY indexname",
      );
      expect(rows.map((r) => r.indexname)).toContain('application_event_application_id_event_key_key');
    } finally {
      await client.end();
    }
  });
});
