import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  postgresSkipReason,
  type TestDatabase,
} from '../../test/store/test-databases.js';
import { openStore } from './open-store.js';

// A store opened without Prisma (what `crmsync sync`, `list` and `history` do, issue 28)
// runs, lists and counts through the driver alone, says clearly when Prisma is asked for,
// and loads it on request.
const skipPostgres = await postgresSkipReason('the lazy-Prisma store tests on PostgreSQL');
if (skipPostgres) console.warn(skipPostgres);

const providers = [
  { name: 'sqlite', create: async () => createSqliteTestDatabase(), skip: null },
  { name: 'postgresql', create: () => createPostgresTestDatabase(), skip: skipPostgres },
] as const;

for (const provider of providers) {
  describe.skipIf(provider.skip !== null)(`a ${provider.name} store opened without Prisma`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await provider.create();
    });
    afterAll(async () => db?.drop());

    it('syncs, lists runs and counts records through the driver, then loads Prisma on request', async () => {
      const store = await openStore({ databaseUrl: db.url, prisma: false });
      try {
        expect(() => store.prisma).toThrow(/opened without Prisma.*usePrisma/);
        const begun = async (syncType: string) =>
          store.beginRun({
            crmSource: 'acme',
            syncType,
            mode: 'full',
            trigger: 'cli',
            dryRun: false,
            configuration: {},
            leaseMs: 1,
          });
        const first = await begun('contacts');
        await store.upsertRecords(
          'acme',
          'contacts',
          [1, 2, 3].map((i) => ({
            externalId: String(i),
            data: { id: String(i) },
            hash: `h${i}`,
            remoteUpdatedAt: null,
            remoteCreatedAt: null,
          })),
          { runId: first.id, policy: 'overwrite' },
        );
        await store.softDeleteRecords('acme', 'contacts', ['3'], first.id);
        await store.finishRun(first.id, {
          status: 'success',
          counts: { processed: 3, created: 3, updated: 0, unchanged: 0, deleted: 1, failed: 0 },
          performanceMetrics: null,
        });
        const second = await begun('deals');
        expect(await store.countRecords('acme', 'contacts')).toBe(2);
        expect((await store.listRuns({})).map((r) => r.id)).toEqual([second.id, first.id]);
        expect((await store.listRuns({ syncType: 'contacts' })).map((r) => r.id)).toEqual([
          first.id,
        ]);
        expect((await store.listRuns({ status: 'running', limit: 5 })).map((r) => r.id)).toEqual([
          second.id,
        ]);
        expect(await store.listRuns({ startedAfter: new Date(Date.now() + 60_000) })).toEqual([]);
        // what every sync reads and writes besides runs and records: its source marks, and a
        // shared read budget; local changes (write-back) are there, not yet loaded
        await store.sourceMarks.set('acme', 'contacts', { modifiedTime: 't1', etag: 'e1' });
        await store.sourceMarks.set('acme', 'contacts', { modifiedTime: 't2' });
        expect(await store.sourceMarks.get('acme', 'contacts')).toEqual({
          modifiedTime: 't2',
          etag: 'e1',
        });
        const now = new Date(60_000);
        expect(await store.requestBudgets.take('acme:reader', 1, 1_000, now)).toBe(0);
        expect(await store.requestBudgets.take('acme:reader', 1, 1_000, now)).toBe(1_000);
        expect(store.localChanges).toBeDefined();
        expect(() => store.prisma).toThrow(/opened without Prisma/);
        // lease 1 ms: the running one is stale a moment later
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect((await store.findStaleRuns(new Date())).map((r) => r.id)).toEqual([second.id]);
        // what still needs Prisma loads it
        expect(await store.countRecords('acme', 'contacts', { includeDeleted: true })).toBe(3);
        expect((await store.usePrisma()).syncHistory).toBeDefined();
        expect(await store.prisma.syncHistory.count()).toBe(2);
      } finally {
        await store.close();
      }
    });
  });
}
