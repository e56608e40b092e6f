import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient as PostgresPrismaClient } from '../generated/prisma-postgresql/client.js';
import { PrismaClient as SqlitePrismaClient } from '../generated/prisma-sqlite/client.js';
import { type DatabaseProvider, type DatabaseTarget, parseDatabaseUrl } from './database-url.js';
import { createPostgresPool, SQLITE_BUSY_TIMEOUT_MS } from './postgres-pool.js';

export { SQLITE_BUSY_TIMEOUT_MS };

/**
 * The one client type for both databases. Both generated clients come from the same
 * template (prisma/schema.template.prisma), so their models and fields are identical; the
 * SQLite client's type stands for both.
 */
export type PrismaClient = SqlitePrismaClient;
export { Prisma } from '../generated/prisma-sqlite/client.js';
export type {
  CrmRecord,
  SyncEvent as SyncEventRow,
  SyncHistory,
  SyncSchedule,
} from '../generated/prisma-sqlite/client.js';

/**
 * SQLite stores DateTime as integer milliseconds since the epoch: compact, exact to the
 * millisecond and compared as numbers by the store's bulk SQL. Every client of a crmsync
 * database must use the same format, so always create clients with `createPrismaClient`.
 */
export const SQLITE_TIMESTAMP_FORMAT = 'unixepoch-ms';

/** A Prisma client plus the driver handles the store's bulk SQL uses. */
export interface DatabaseConnection {
  target: DatabaseTarget;
  prisma: PrismaClient;
  /** PostgreSQL only: the pool the Prisma adapter also uses. */
  pool?: pg.Pool;
}

/**
 * A Prisma client for a crmsync database URL (`file:` → SQLite, `postgres(ql)://` →
 * PostgreSQL), with the right driver adapter.
 *
 * @example
 * const prisma = createPrismaClient('file:./.crmsync/crmsync.db');
 * const runs = await prisma.syncHistory.findMany({ orderBy: { startTime: 'desc' }, take: 10 });
 */
export function createPrismaClient(url: string): PrismaClient {
  return connectDatabase(parseDatabaseUrl(url)).prisma;
}

/** A Prisma client for `target`; on PostgreSQL over `pool` when given (else a new one). */
export function connectDatabase(
  target: DatabaseTarget,
  existingPool?: pg.Pool,
): DatabaseConnection {
  if (target.provider === 'postgresql') {
    const pool = existingPool ?? createPostgresPool(target);
    const client = new PostgresPrismaClient({
      adapter: new PrismaPg(pool, { disposeExternalPool: true, schema: target.schema }),
    });
    return { target, pool, prisma: client as unknown as PrismaClient };
  }
  const adapter = new PrismaBetterSQLite3(
    { url: target.url, timeout: SQLITE_BUSY_TIMEOUT_MS },
    { timestampFormat: SQLITE_TIMESTAMP_FORMAT },
  );
  return { target, prisma: new SqlitePrismaClient({ adapter }) };
}

export type { DatabaseProvider };
