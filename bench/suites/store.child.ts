import { openStore } from '../../packages/server/src/store/index.js';
import { createSqliteTestDatabase } from '../../packages/server/test/store/test-databases.js';

/**
 * Child process of store.bench.ts: writes `count` generated records through the store's bulk
 * upsert into a fresh SQLite file, making each batch on the fly so the figure is the store's
 * own memory, not a pre-built array's. Run by runInChild, which reports the peak RSS.
 */
export default async function writeRecords(args: { count: number }): Promise<{ seconds: number }> {
  const database = createSqliteTestDatabase();
  const store = await openStore({ databaseUrl: database.url });
  try {
    const started = performance.now();
    const base = Date.UTC(2026, 0, 1);
    for (let start = 0; start < args.count; start += 1_000) {
      const batch = [];
      for (let i = start; i < Math.min(start + 1_000, args.count); i++) {
        batch.push({
          externalId: `r-${i}`,
          data: { id: `r-${i}`, name: `Record ${i}`, email: `r${i}@example.com`, score: i % 100 },
          hash: `hash-${i}`,
          remoteUpdatedAt: new Date(base + i),
        });
      }
      await store.upsertRecords('bench', 'rss', batch, { runId: 'rss', policy: 'overwrite' });
    }
    return { seconds: (performance.now() - started) / 1_000 };
  } finally {
    await store.close();
    await database.drop();
  }
}
