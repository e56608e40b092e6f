import { describeStoreSuite } from '@crmsync/core/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { postgresBackend, sqliteBackend } from '../../test/store/store-backends.js';

// The store suite every Store passes (core's MemoryStore runs it too), on both databases:
// each test gets a fresh migrated store (SQLite: a new file; PostgreSQL: a new schema).
for (const backend of [sqliteBackend(), await postgresBackend()]) {
  describe.skipIf(backend.skipReason !== null)(`PrismaStore on ${backend.name}`, () => {
    beforeAll(() => backend.setup());
    afterAll(() => backend.teardown());
    describeStoreSuite(`PrismaStore (${backend.name})`, async () => {
      const store = await backend.open();
      return { store, cleanup: () => store.close() };
    });
  });
}
