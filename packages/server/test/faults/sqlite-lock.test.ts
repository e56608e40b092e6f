import { SyncEngine } from '@crmsync/core';
import { fakerPlugin } from '@crmsync/plugin-faker';
import { describe, expect, it } from 'vitest';
import {
  expectStoreEqualsSource,
  fakerConfig,
  figures,
  holdSqliteLock,
  type PrismaStore,
  runningPast,
  useSource,
  withDatabase,
} from './fault-kit.js';

// Another process holds the SQLite write lock longer than the store's busy timeout, mid-sync.
// A locked database is a store fault, not a bad record: the batch is retried with backoff; if
// the lock outlasts the retries the run fails as kind `store`, counts no record failed, is no
// delta base, and the next run resumes from its checkpoint.
const BUSY_TIMEOUT_MS = 300;
const fixture = useSource('sqlite-lock', 1_000);

const syncWith = (store: PrismaStore, retries: number) =>
  new SyncEngine({
    store,
    storeRetry: { retries, minTimeoutMs: 100, maxTimeoutMs: 400 },
  }).runEntity({
    plugin: fakerPlugin,
    entity: 'contacts',
    config: fakerConfig(fixture.source),
    options: { batchSize: 25, pluginOptions: { 'latency-ms': 100 } },
  });

describe('a SQLite write lock held by another process', () => {
  const lockedWhileSyncing = async (
    store: PrismaStore,
    file: string,
    retries: number,
    ms: number,
  ) => {
    const run = syncWith(store, retries);
    await runningPast(store, 'contacts', 100);
    const lock = await holdSqliteLock(file, ms);
    figures.faults++;
    return { finished: await run, released: lock.code };
  };

  it(
    'outlasting the busy timeout, then released: the sync retries and stores every record',
    { timeout: 60_000 },
    () =>
      withDatabase(
        'sqlite',
        async (database, store) => {
          const file = database.url.slice('file:'.length);
          const { finished, released } = await lockedWhileSyncing(store, file, 8, 2_000);
          await released;
          expect(finished).toMatchObject({ status: 'success', errorKind: null });
          expect(finished.counts.failed).toBe(0);
          const events = await store.listEvents(finished.id);
          expect(
            events.some((e) =>
              /faker contacts: the database failed writing .* retrying/.test(e.message),
            ),
          ).toBe(true);
          await expectStoreEqualsSource(store, fixture.reference);
        },
        { sqliteBusyTimeoutMs: BUSY_TIMEOUT_MS },
      ),
  );

  it(
    'outlasting the retries: the run fails as a store fault, and the next run resumes it',
    { timeout: 60_000 },
    () =>
      withDatabase(
        'sqlite',
        async (database, store) => {
          const file = database.url.slice('file:'.length);
          const { finished: failed, released } = await lockedWhileSyncing(store, file, 2, 6_000);
          expect(failed).toMatchObject({ status: 'failed', errorKind: 'store' });
          const named = file.replaceAll('/', '\\/').replaceAll('.', '\\.');
          expect(failed.errorMessage).toMatch(
            new RegExp(
              `^faker contacts: the database \\(${named}\\) failed writing \\d+ record\\(s\\) after 3 attempts: database is locked`,
            ),
          );
          // Not one record is blamed for the database's fault, and the run is no delta base.
          expect(failed.counts.failed).toBe(0);
          expect(await store.lastSuccessfulRun('faker', 'contacts')).toBeNull();
          await released;

          const rerun = await syncWith(store, 2);
          expect(rerun).toMatchObject({ status: 'success', resumedFromRunId: failed.id });
          await expectStoreEqualsSource(store, fixture.reference);
        },
        { sqliteBusyTimeoutMs: BUSY_TIMEOUT_MS },
      ),
  );
});
