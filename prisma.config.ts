import { defineConfig } from 'prisma/config';

// Prisma's CLI is used only for `generate` here (offline, no engine needed); migrations are applied by
// scripts/dev/migrate.ts, or by `npx prisma migrate deploy` on a machine that can download the engine.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/ogps' },
});
