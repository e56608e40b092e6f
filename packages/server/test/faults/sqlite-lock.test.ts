import { SyncEngine } from '@crmsync/core';
import { fakerPlugin } from '@crmsync/plugin-faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Contents,
  createDatabase,
  type FakerServer,
  fakerConfig,
  figures,
  holdSqliteLock,
  openStore,
  type PrismaStore,
  printFigures,
  referenceContents,
  runningPast,
  startSource,
  tally,
} from './fault-kit.js';

// Another process holds the SQLite write lock longer than the store's busy timeout, mid-sync.
// A locked database is a store fault, not a bad record: the batch is retried with backoff; if
// the lock outlasts the retries the run fails as kind `store`, counts no record failed, is no
// delta base, and the next run resumes from its checkpoint.
const started = performance.now();
let source: FakerServer;
let reference: Contents;
const BUSY_TIMEOUT_MS = 300;

beforeAll(async () => {
  source = await startSource(1_000);
  reference = await referenceContents(source, 'contacts');
});
afterAll(async () => {
  await source?.close();
  printFigures('sqlite-lock', started);
});

const syncWith = (store: PrismaStore, retries: number) =>
  new SyncEngine({
    store,
    storeRetry: { retries, minTimeoutMs: 100, maxTimeoutMs: 400 },
  }).runEntity({
    plugin: fakerPlugin,
    entity: 'contacts',
    config: fakerConfig(source),
    options: { batchSize: 25, pluginOptions: { 'latency-ms': 100 } },
  });

describe('a SQLite write lock held by another process', () => {
  it('outlasting the busy timeout, then released: the sync retries and stores every record', {
    timeout: 60_000,
  }, async () => {
    const database = await createDatabase('sqlite');
    const file = database.url.slice('file:'.length);
    const store = await openStore({
      databaseUrl: database.url,
      sqliteBusyTimeoutMs: BUSY_TIMEOUT_MS,
    });
    try {
      const run = syncWith(store, 8);
      await runningPast(store, 'contacts', 100);
      const lock = await holdSqliteLock(file, 2_000);
      figures.faults++;
      const finished = await run;
      await lock.code;
      expect(finished).toMatchObject({ status: 'success', errorKind: null });
      expect(finished.counts.failed).toBe(0);
      const events = await store.listEvents(finished.id);
      expect(
        events.some((e) =>
          /faker contacts: the database failed writing .* retrying/.test(e.message),
        ),
      ).toBe(true);
      const { held, lost, running } = await tally(store, 'contacts', reference);
      expect({ lost, running: running.length }).toEqual({ lost: 0, running: 0 });
      expect(held).toEqual(reference);
    } finally {
      await store.close();
      await database.drop();
    }
  });

  it('outlasting the retries: the run fails as a store fault, and the next run resumes it', {
    timeout: 60_000,
  }, async () => {
    const database = await createDatabase('sqlite');
    const file = database.url.slice('file:'.length);
    const store = await openStore({
      databaseUrl: database.url,
      sqliteBusyTimeoutMs: BUSY_TIMEOUT_MS,
    });
    try {
      const run = syncWith(store, 2);
      await runningPast(store, 'contacts', 100);
      const lock = await holdSqliteLock(file, 6_000);
      figures.faults++;
      const failed = await run;
      expect(failed).toMatchObject({ status: 'failed', errorKind: 'store' });
      expect(failed.errorMessage).toMatch(
        new RegExp(
          `^faker contacts: the database \\(${file.replaceAll('/', '\\/').replaceAll('.', '\\.')}\\) failed writing \\d+ record\\(s\\) after 3 attempts: database is locked`,
        ),
      );
      // Not one record is blamed for the database's fault, and the run is no delta base.
      expect(failed.counts.failed).toBe(0);
      expect(await store.lastSuccessfulRun('faker', 'contacts')).toBeNull();
      await lock.code;

      const rerun = await syncWith(store, 2);
      expect(rerun).toMatchObject({ status: 'success', resumedFromRunId: failed.id });
      const { held, lost, running } = await tally(store, 'contacts', reference);
      expect({ lost, running: running.length }).toEqual({ lost: 0, running: 0 });
      expect(held).toEqual(reference);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
