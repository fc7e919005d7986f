/**
 * Offline Prisma migrations through Prisma's own schema engine compiled to WebAssembly.
 *
 * Prisma's CLI downloads a native schema engine for every `migrate` command, which cannot work on an
 * offline machine (nor in many municipal networks). The same engine is published as
 * `@prisma/schema-engine-wasm`; driven through the `pg` driver adapter it applies `prisma/migrations`
 * and records them in `_prisma_migrations` exactly as `prisma migrate deploy` does, so that both paths
 * can be used on the same database.
 *
 * The package imports its .wasm file as an ES module: run with `node --experimental-wasm-modules`
 * (the npm scripts do).
 *
 *   migrate.ts deploy --url <url>           apply pending migrations
 *   migrate.ts check --url <url>            exit 2 when schema.prisma and the migrations disagree
 *                                          (the url must point at an empty, throwaway database)
 *   migrate.ts create <name> --url <url>    write a new migration for what schema.prisma adds
 *                                          (the url must point at an empty, throwaway database)
 *   --schema <file>                         use another schema file (the drift test's modified copy)
 */
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

const root = path.resolve(__dirname, '..', '..');
// `--schema <file>` lets the drift test check a modified copy; everything else uses the project's schema.
const schemaFlag = process.argv.indexOf('--schema');
const schemaPath =
  schemaFlag >= 0 && process.argv[schemaFlag + 1]
    ? path.resolve(process.argv[schemaFlag + 1] as string)
    : path.join(root, 'prisma', 'schema.prisma');
const migrationsDir = path.join(root, 'prisma', 'migrations');
const noFilter = { externalTables: [], externalEnums: [] };

/**
 * @prisma/adapter-pg 7.10 has no column type for PostgreSQL's internal one-byte `"char"` (OID 18), which
 * the engine reads from pg_catalog (relkind, contype…) whenever it describes a database, and fails with
 * "Column type 'char' could not be deserialized". Within this migrator process only, such columns are
 * reported as `text` (OID 25), which is what they hold. The application's own Prisma client never reads
 * pg_catalog and is not affected.
 */
function reportInternalCharAsText(): void {
  type AddFields = (this: unknown, fields: { dataTypeID: number }[]) => void;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- pg's internal module, no typed export
  const Result = require('pg/lib/result') as { prototype: { addFields: AddFields } };
  const addFields = Result.prototype.addFields;
  Result.prototype.addFields = function (fields) {
    for (const field of fields) if (field.dataTypeID === 18) field.dataTypeID = 25;
    addFields.call(this, fields);
  };
}
reportInternalCharAsText();

import type { SchemaEngine } from '@prisma/schema-engine-wasm' with { 'resolution-mode': 'import' };

type Engine = SchemaEngine;

type PgAdapter = Awaited<ReturnType<PrismaPg['connect']>>;

/** Sends a migration script to PostgreSQL whole (see WholeScriptPg). */
function wholeScripts(adapter: PgAdapter): PgAdapter {
  const pool = adapter.underlyingDriver();
  adapter.executeScript = async (script: string): Promise<void> => {
    try {
      await pool.query(script);
    } catch (err) {
      // The adapter's own conversion (protected) into the error the engine reports with PostgreSQL's message.
      (adapter as unknown as { onError(e: unknown): never }).onError(err);
    }
  };
  return adapter;
}

/**
 * @prisma/adapter-pg 7.10 runs a migration script by splitting it at every ';', which cuts function bodies
 * (`$$ ... ; ... $$`, as in the audit chain's triggers) and runs the pieces outside any transaction. Here the
 * script goes to PostgreSQL whole instead: its simple-query protocol takes many statements, understands
 * dollar quoting and runs them as one implicit transaction, so a migration applies entirely or not at all.
 */
class WholeScriptPg extends PrismaPg {
  override async connect(): Promise<PgAdapter> {
    return wholeScripts(await super.connect());
  }
}

async function openEngine(url: string): Promise<Engine> {
  const { SchemaEngine } = await import('@prisma/schema-engine-wasm');
  const schema = await readFile(schemaPath, 'utf8');
  const adapter = bindMigrationAwareSqlAdapterFactory(new WholeScriptPg({ connectionString: url }));
  const log = (line: string): void => {
    if (process.env.MIGRATE_DEBUG) process.stderr.write(`${line}\n`);
  };
  return SchemaEngine.new({ datamodels: [[schemaPath, schema]] }, log, adapter);
}

async function schemaFiles(): Promise<{ path: string; content: string }[]> {
  return [{ path: schemaPath, content: await readFile(schemaPath, 'utf8') }];
}

async function migrationList() {
  const entries = (await readdir(migrationsDir, { withFileTypes: true }).catch(() => []))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: await readFile(lockPath, 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      entries.map(async (dir) => ({
        path: dir,
        migrationFile: {
          path: 'migration.sql',
          content: await readFile(path.join(migrationsDir, dir, 'migration.sql'), 'utf8').then(
            (value) => ({ tag: 'ok' as const, value }),
            (err: Error) => ({ tag: 'error' as const, value: err.message }),
          ),
        },
      })),
    ),
  };
}

export async function deploy(url: string): Promise<string[]> {
  const engine = await openEngine(url);
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: await migrationList(),
      filters: noFilter,
    });
    return appliedMigrationNames;
  } finally {
    engine.free();
  }
}

/** The SQL that would bring a database migrated with prisma/migrations to what schema.prisma describes. */
async function pendingSchemaChange(url: string): Promise<string> {
  await deploy(url);
  const engine = await openEngine(url);
  try {
    const files = await schemaFiles();
    const result = await engine.diff({
      from: { tag: 'schemaDatasource', files, configDir: root },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: true,
      filters: noFilter,
    });
    return result.exitCode === 2 ? (result.stdout ?? '') : '';
  } finally {
    engine.free();
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const urlIndex = args.indexOf('--url');
  const url = urlIndex >= 0 ? args[urlIndex + 1] : process.env.DATABASE_URL;
  // Indices of the flags and their values within args (schemaFlag counts from process.argv).
  const flagged = new Set([
    ...(urlIndex >= 0 ? [urlIndex, urlIndex + 1] : []),
    ...(schemaFlag >= 0 ? [schemaFlag - 2, schemaFlag - 1] : []),
  ]);
  const [command, name] = args.filter((_, i) => !flagged.has(i));
  if (!url) {
    process.stderr.write('migrate: no database: pass --url or set DATABASE_URL\n');
    return 64;
  }
  switch (command) {
    case 'deploy': {
      const applied = await deploy(url);
      process.stdout.write(
        applied.length
          ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n`
          : 'no pending migrations\n',
      );
      return 0;
    }
    case 'check': {
      const sql = await pendingSchemaChange(url);
      if (!sql) {
        process.stdout.write('schema.prisma and prisma/migrations agree\n');
        return 0;
      }
      process.stdout.write(`schema.prisma differs from prisma/migrations; missing migration:\n${sql}`);
      return 2;
    }
    case 'create': {
      if (!name || !/^[a-z0-9_]+$/.test(name)) {
        process.stderr.write('migrate create: give a name in snake_case\n');
        return 64;
      }
      const sql = await pendingSchemaChange(url);
      if (!sql) {
        process.stdout.write('nothing to migrate: schema.prisma and prisma/migrations agree\n');
        return 0;
      }
      const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
      const dir = path.join(migrationsDir, `${stamp}_${name}`);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'migration.sql'), sql);
      const lock = path.join(migrationsDir, 'migration_lock.toml');
      await readFile(lock).catch(() =>
        writeFile(lock, '# Please do not edit this file manually\nprovider = "postgresql"\n'),
      );
      process.stdout.write(`wrote ${path.relative(root, dir)}/migration.sql\n`);
      return 0;
    }
    default:
      process.stderr.write('usage: migrate.ts deploy|check|create <name> [--url <database url>]\n');
      return 64;
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`migrate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
