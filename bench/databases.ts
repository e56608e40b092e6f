import type { DatabaseProvider } from '../packages/server/src/store/database-url.js';
import {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  postgresUnavailable,
  type TestDatabase,
} from '../packages/server/test/store/test-databases.js';
import type { BenchContext } from './lib.js';

// The store databases a suite measures on. Not in lib.ts: bench/child.ts imports lib.ts, and a
// child's peak RSS should not include the PostgreSQL driver.

const PROVIDERS: readonly DatabaseProvider[] = ['sqlite', 'postgresql'];

/** A fresh, empty database of `provider`; its `drop()` removes it. */
export async function createBenchDatabase(provider: DatabaseProvider): Promise<TestDatabase> {
  return provider === 'sqlite' ? createSqliteTestDatabase() : createPostgresTestDatabase();
}

/** `measure` on a fresh database of `provider`, dropped once it is done (or has failed). */
export async function withBenchDatabase<T>(
  provider: DatabaseProvider,
  measure: (database: TestDatabase) => Promise<T>,
): Promise<T> {
  const database = await createBenchDatabase(provider);
  try {
    return await measure(database);
  } finally {
    await database.drop();
  }
}

/**
 * `measure` for SQLite, then for PostgreSQL when a server answers; otherwise the log says why
 * PostgreSQL was skipped. `only` narrows the providers (a suite's own setting).
 */
export async function forEachProvider(
  ctx: BenchContext,
  measure: (provider: DatabaseProvider) => Promise<void>,
  only: readonly string[] = PROVIDERS,
): Promise<void> {
  for (const provider of PROVIDERS) {
    if (!only.includes(provider)) continue;
    if (provider === 'postgresql') {
      const problem = await postgresUnavailable();
      if (problem) {
        ctx.log(`PostgreSQL skipped: ${problem}`);
        continue;
      }
    }
    await measure(provider);
  }
}

/** `forEachProvider`, each measure on a fresh database of its provider, dropped after it. */
export function forEachDatabase(
  ctx: BenchContext,
  measure: (provider: DatabaseProvider, database: TestDatabase) => Promise<void>,
): Promise<void> {
  return forEachProvider(ctx, (provider) =>
    withBenchDatabase(provider, (database) => measure(provider, database)),
  );
}
