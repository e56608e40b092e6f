import { openStore } from '../../src/store/open-store.js';
import type { PrismaStore } from '../../src/store/prisma-store.js';
import {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  postgresSkipReason,
  type TestDatabase,
} from './test-databases.js';

/**
 * The two databases a store test runs against. Each `open()` gives a fresh, migrated, empty
 * store (SQLite: a new file; PostgreSQL: a new schema in one database per test file), and
 * `teardown()` closes them and deletes every file, schema and database it made.
 */
export interface StoreBackend {
  name: 'sqlite' | 'postgresql';
  /** Why this backend is skipped here, or null. */
  skipReason: string | null;
  setup(): Promise<void>;
  open(): Promise<PrismaStore>;
  teardown(): Promise<void>;
}

export function sqliteBackend(): StoreBackend {
  const databases: TestDatabase[] = [];
  const stores: PrismaStore[] = [];
  return {
    name: 'sqlite',
    skipReason: null,
    async setup() {},
    async open() {
      const database = createSqliteTestDatabase();
      databases.push(database);
      const store = await openStore({ databaseUrl: database.url });
      stores.push(store);
      return store;
    },
    async teardown() {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await Promise.all(databases.splice(0).map((database) => database.drop()));
    },
  };
}

/**
 * PostgreSQL, skipped with a message when the server is unreachable, except in CI
 * (`CI=true`), where an unreachable server is an error.
 */
export async function postgresBackend(): Promise<StoreBackend> {
  const problem = await postgresSkipReason('the PostgreSQL store tests');
  let database: TestDatabase | undefined;
  const stores: PrismaStore[] = [];
  let schemas = 0;
  return {
    name: 'postgresql',
    skipReason: problem,
    async setup() {
      database = await createPostgresTestDatabase();
    },
    async open() {
      if (!database) throw new Error('postgresBackend.setup() was not awaited');
      const url = new URL(database.url);
      url.searchParams.set('schema', `store_${++schemas}`);
      const store = await openStore({ databaseUrl: url.toString() });
      stores.push(store);
      return store;
    },
    async teardown() {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await database?.drop();
      database = undefined;
    },
  };
}
