import { parseDatabaseUrl, resolveDatabaseUrl } from './database-url.js';
import { PrismaStore } from './prisma-store.js';

export interface OpenStoreOptions {
  /** Defaults to `DATABASE_URL`, then `file:<cwd>/.crmsync/crmsync.db`. */
  databaseUrl?: string;
  /** Where the default database lives and relative `file:` paths resolve; defaults to process.cwd(). */
  cwd?: string;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /**
   * Load and connect Prisma now (default true). With false it is loaded on first use
   * (`store.usePrisma()`); syncs, the run history and live counts never need it.
   */
  prisma?: boolean;
  /** How long a SQLite write waits for another process's lock before it fails (default 10 s). */
  sqliteBusyTimeoutMs?: number;
}

/**
 * Opens (and by default migrates) the server's database.
 *
 * @example
 * const store = await openStore({ databaseUrl: 'postgresql://crmsync@db/crmsync' });
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<PrismaStore> {
  const cwd = options.cwd ?? process.cwd();
  const url = options.databaseUrl ?? resolveDatabaseUrl(process.env, cwd);
  const store = new PrismaStore(
    parseDatabaseUrl(url, cwd),
    options.sqliteBusyTimeoutMs === undefined
      ? {}
      : { sqliteBusyTimeoutMs: options.sqliteBusyTimeoutMs },
  );
  try {
    await store.connect({ prisma: options.prisma !== false });
    if (options.migrate !== false) await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
