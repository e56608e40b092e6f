import { createLogger } from '@crmsync/core';
import pg from 'pg';
import type { DatabaseTarget } from './database-url.js';

const log = createLogger('crmsync:store');

/** How long a SQLite connection waits for another connection's write lock. */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/**
 * The pool of a PostgreSQL store: its bulk SQL and run bookkeeping use it, and so does the
 * Prisma adapter once something needs Prisma. Loads no Prisma code.
 */
export function createPostgresPool(target: DatabaseTarget): pg.Pool {
  const pool = new pg.Pool({
    connectionString: target.url,
    max: 10,
    // The store's own SQL (bulk upserts, migrations) finds its tables through the search_path.
    ...(target.schema && { options: `-c search_path="${target.schema}"` }),
  });
  // An idle client's error (server restart) must not crash the process; the next query fails instead.
  pool.on('error', () => {});
  // Nor a checked-out client's, between two of its queries (pg_terminate_backend, a
  // failover): pg emits that as an 'error' event, and the pool only listens on idle clients.
  // Every client keeps a listener for life; the query it is asked next fails instead, is
  // retried by the engine as a store fault, and the pool drops the broken client.
  pool.on('connect', (client) => {
    client.on('error', (error) => log.debug(`a PostgreSQL connection failed: ${error.message}`));
  });
  return pool;
}
