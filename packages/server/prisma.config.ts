// Prisma CLI configuration. Prisma 6.19 runs here with the JavaScript schema engine and
// driver adapters (no engine binaries are downloaded). CRMSYNC_PRISMA_PROVIDER picks which
// generated schema the CLI works on (sqlite by default, or postgresql); DATABASE_URL is
// only needed by commands that talk to a database.
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

const provider = process.env.CRMSYNC_PRISMA_PROVIDER === 'postgresql' ? 'postgresql' : 'sqlite';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', provider, 'schema.prisma'),
  async adapter() {
    const url = process.env.DATABASE_URL ?? 'file:./.crmsync/crmsync.db';
    if (provider === 'postgresql') return new PrismaPg(poolConfig(url));
    return new PrismaBetterSQLite3({ url }, { timestampFormat: 'unixepoch-ms' });
  },
});

/**
 * Explicit fields rather than a connectionString: the adapter makes its shadow database by
 * overriding `database`, which a connectionString would silently win over.
 */
function poolConfig(url: string) {
  const parsed = new URL(url);
  return {
    host: decodeURIComponent(parsed.hostname),
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username) || undefined,
    password: decodeURIComponent(parsed.password) || undefined,
    database: decodeURIComponent(parsed.pathname.slice(1)) || undefined,
  };
}
