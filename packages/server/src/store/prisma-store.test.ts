import type { RecordWrite, RunCounts } from '@crmsync/core';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaStore } from './prisma-store.js';
import {
  postgresBackend,
  type StoreBackend,
  sqliteBackend,
} from '../../test/store/store-backends.js';

const backends: StoreBackend[] = [sqliteBackend(), await postgresBackend()];

const zero: RunCounts = {
  processed: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  failed: 0,
};

function contact(n: number, overrides: Partial<RecordWrite> = {}): RecordWrite {
  return {
    externalId: `c${n}`,
    data: { id: `c${n}`, name: `Contact ${n}`, n },
    hash: `hash-${n}`,
    remoteUpdatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n % 1000)),
    remoteCreatedAt: new Date(Date.UTC(2025, 0, 1)),
    ...overrides,
  };
}

function contacts(count: number, from = 0): RecordWrite[] {
  return Array.from({ length: count }, (_, i) => contact(from + i));
}

describe.each(backends)('PrismaStore on $name', (backend) => {
  let store: PrismaStore;
  let runId: string;

  beforeAll(async () => {
    if (backend.skipReason) return;
    await backend.setup();
  });
  afterAll(() => backend.teardown());

  async function freshStore(): Promise<PrismaStore> {
    store = await backend.open();
    const run = await store.beginRun({
      crmSource: 'faker',
      syncType: 'contacts',
      mode: 'full',
      trigger: 'cli',
      dryRun: false,
      configuration: {},
      leaseMs: 60_000,
    });
    runId = run.id;
    return store;
  }

  describe.skipIf(backend.skipReason !== null)('records', () => {
    it('creates new records, leaves identical ones untouched and updates changed ones', async () => {
      await freshStore();
      const first = await store.upsertRecords('faker', 'contacts', contacts(3), {
        runId,
        policy: 'overwrite',
        now: new Date('2026-02-01T00:00:00.001Z'),
      });
      expect(first).toEqual({ created: 3, updated: 0, unchanged: 0, keptNewer: 0 });

      const second = await store.upsertRecords(
        'faker',
        'contacts',
        [contact(0), contact(1, { hash: 'changed', data: { name: 'Renamed' } }), contact(3)],
        { runId: 'run-2', policy: 'overwrite', now: new Date('2026-02-02T00:00:00.002Z') },
      );
      expect(second).toEqual({ created: 1, updated: 1, unchanged: 1, keptNewer: 0 });

      const unchanged = await store.getRecord('faker', 'contacts', 'c0');
      expect(unchanged?.lastRunId).toBe(runId);
      expect(unchanged?.lastSyncedAt).toEqual(new Date('2026-02-01T00:00:00.001Z'));
      const updated = await store.getRecord('faker', 'contacts', 'c1');
      expect(updated).toMatchObject({
        data: { name: 'Renamed' },
        hash: 'changed',
        lastRunId: 'run-2',
        firstSyncedAt: new Date('2026-02-01T00:00:00.001Z'),
        lastSyncedAt: new Date('2026-02-02T00:00:00.002Z'),
      });
      expect(await store.countRecords('faker', 'contacts')).toBe(4);
      expect(await store.countRecords('faker', 'deals')).toBe(0);
    });

    it('round-trips JSON and millisecond timestamps exactly', async () => {
      await freshStore();
      const data = {
        name: 'Zoë "the \\ quote" O\'Brien',
        emoji: '🚀',
        nested: { list: [1, 2.5, null, true, { deep: 'x' }], empty: {} },
        nothing: null,
      };
      const remoteUpdatedAt = new Date('2026-03-04T05:06:07.089Z');
      const remoteCreatedAt = new Date('1999-12-31T23:59:59.999Z');
      await store.upsertRecords(
        'faker',
        'contacts',
        [{ externalId: 'x/1 ?', data, hash: 'h', remoteUpdatedAt, remoteCreatedAt }],
        { runId, policy: 'overwrite' },
      );
      const stored = await store.getRecord('faker', 'contacts', 'x/1 ?');
      expect(stored?.data).toEqual(data);
      expect(stored?.remoteUpdatedAt?.toISOString()).toBe('2026-03-04T05:06:07.089Z');
      expect(stored?.remoteCreatedAt?.toISOString()).toBe('1999-12-31T23:59:59.999Z');
      expect(stored?.deletedAt).toBeNull();
    });

    it('keeps a stored row that is newer under keep-newer, but overwrites it under overwrite', async () => {
      await freshStore();
      const newer = contact(1, { remoteUpdatedAt: new Date('2026-05-01T00:00:00Z') });
      const older = contact(1, {
        hash: 'older',
        data: { stale: true },
        remoteUpdatedAt: new Date('2026-04-01T00:00:00Z'),
      });
      await store.upsertRecords('faker', 'contacts', [newer], { runId, policy: 'overwrite' });
      expect(
        await store.upsertRecords('faker', 'contacts', [older], { runId, policy: 'keep-newer' }),
      ).toEqual({ created: 0, updated: 0, unchanged: 0, keptNewer: 1 });
      expect((await store.getRecord('faker', 'contacts', 'c1'))?.hash).toBe(newer.hash);

      expect(
        await store.upsertRecords('faker', 'contacts', [older], { runId, policy: 'overwrite' }),
      ).toEqual({ created: 0, updated: 1, unchanged: 0, keptNewer: 0 });
      expect((await store.getRecord('faker', 'contacts', 'c1'))?.data).toEqual({ stale: true });
    });

    it('judges an id repeated within one batch against its earlier version', async () => {
      await freshStore();
      const result = await store.upsertRecords(
        'faker',
        'contacts',
        [contact(7), contact(7), contact(7, { hash: 'v2', data: { v: 2 } })],
        { runId, policy: 'overwrite' },
      );
      expect(result).toEqual({ created: 1, updated: 1, unchanged: 1, keptNewer: 0 });
      expect((await store.getRecord('faker', 'contacts', 'c7'))?.data).toEqual({ v: 2 });
    });

    it('writes batches larger than one statement and finds them all unchanged the second time', async () => {
      await freshStore();
      const batch = contacts(6_000);
      expect(
        await store.upsertRecords('faker', 'contacts', batch, { runId, policy: 'overwrite' }),
      ).toEqual({
        created: 6_000,
        updated: 0,
        unchanged: 0,
        keptNewer: 0,
      });
      expect(
        await store.upsertRecords('faker', 'contacts', batch, { runId, policy: 'overwrite' }),
      ).toEqual({
        created: 0,
        updated: 0,
        unchanged: 6_000,
        keptNewer: 0,
      });
      expect(await store.countRecords('faker', 'contacts')).toBe(6_000);
    });

    it('rolls the whole batch back when one record cannot be written', async () => {
      await freshStore();
      await store.upsertRecords('faker', 'contacts', [contact(0, { hash: 'before' })], {
        runId,
        policy: 'overwrite',
      });
      // Record 5,600 fails while its statement is built, after earlier statements of the same
      // batch (500 rows each on SQLite, 5,000 on PostgreSQL) have already been executed.
      const batch = contacts(6_000);
      batch[5_600] = contact(5_600, { data: { tooBig: 10n } });
      await expect(
        store.upsertRecords('faker', 'contacts', batch, { runId, policy: 'overwrite' }),
      ).rejects.toThrow(/BigInt/);
      expect(await store.countRecords('faker', 'contacts')).toBe(1);
      expect((await store.getRecord('faker', 'contacts', 'c0'))?.hash).toBe('before');
    });

    it('soft-deletes by id and undeletes a record that is seen again', async () => {
      await freshStore();
      await store.upsertRecords('faker', 'contacts', contacts(4), { runId, policy: 'overwrite' });
      const at = new Date('2026-06-01T12:00:00.123Z');
      expect(
        await store.softDeleteRecords('faker', 'contacts', ['c0', 'c1', 'missing'], 'run-del', at),
      ).toBe(2);
      expect(await store.softDeleteRecords('faker', 'contacts', ['c0'], 'run-del', at)).toBe(0);
      expect(await store.countRecords('faker', 'contacts')).toBe(2);
      expect(await store.countRecords('faker', 'contacts', { includeDeleted: true })).toBe(4);
      expect(await store.getRecord('faker', 'contacts', 'c0')).toMatchObject({
        deletedAt: at,
        lastRunId: 'run-del',
      });

      // Same content, but deleted: written again (undeleted), not counted unchanged.
      expect(
        await store.upsertRecords('faker', 'contacts', [contact(0)], {
          runId,
          policy: 'overwrite',
        }),
      ).toEqual({
        created: 0,
        updated: 1,
        unchanged: 0,
        keptNewer: 0,
      });
      expect((await store.getRecord('faker', 'contacts', 'c0'))?.deletedAt).toBeNull();
    });

    it('soft-deletes every live record of the entity that is not kept, and no other entity', async () => {
      await freshStore();
      await store.upsertRecords('faker', 'contacts', contacts(5), { runId, policy: 'overwrite' });
      await store.upsertRecords('faker', 'deals', contacts(2), { runId, policy: 'overwrite' });
      await store.softDeleteRecords('faker', 'contacts', ['c4'], runId);
      expect(await store.softDeleteMissing('faker', 'contacts', new Set(['c0', 'c2']), runId)).toBe(
        2,
      );
      expect(await store.countRecords('faker', 'contacts')).toBe(2);
      expect(await store.countRecords('faker', 'deals')).toBe(2);
      expect(await store.softDeleteMissing('faker', 'contacts', new Set(), runId)).toBe(2);
    });

    it('refuses a record without an id and writes nothing of its batch', async () => {
      await freshStore();
      await expect(
        store.upsertRecords('faker', 'contacts', [contact(1), contact(2, { externalId: '' })], {
          runId,
          policy: 'overwrite',
        }),
      ).rejects.toThrow(/faker\/contacts: a record has no external id/);
      expect(await store.countRecords('faker', 'contacts')).toBe(0);
    });

    it('shows bulk-written rows to Prisma queries (the API reads them this way)', async () => {
      await freshStore();
      await store.upsertRecords('faker', 'contacts', contacts(3), { runId, policy: 'overwrite' });
      const rows = await store.prisma.crmRecord.findMany({
        where: {
          crmSource: 'faker',
          entity: 'contacts',
          remoteUpdatedAt: { gte: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 1)) },
        },
        orderBy: { externalId: 'asc' },
      });
      expect(rows.map((row) => row.externalId)).toEqual(['c1', 'c2']);
      expect(rows[0]?.remoteUpdatedAt).toBeInstanceOf(Date);
      expect(rows[0]?.data).toEqual({ id: 'c1', name: 'Contact 1', n: 1 });
    });
  });

  describe.skipIf(backend.skipReason !== null)('runs and events', () => {
    it('migrates once: a second migrate has nothing to do', async () => {
      await freshStore();
      expect(await store.migrate()).toEqual([]);
      expect(await store.ping()).toBeGreaterThanOrEqual(0);
    });

    it('records a run from start to finish, and refuses to finish it twice', async () => {
      await freshStore();
      const started = await store.beginRun({
        crmSource: 'hubspot',
        syncType: 'contacts',
        endpoint: '/crm/v3/objects/contacts',
        mode: 'delta',
        trigger: 'schedule',
        dryRun: false,
        configuration: { batchSize: 100, pluginOptions: { archived: false } },
        sinceTime: new Date('2026-01-01T00:00:00.500Z'),
        workerId: 'worker-1',
        leaseMs: 30_000,
        startTime: new Date('2026-01-02T00:00:00.000Z'),
      });
      expect(started).toMatchObject({
        status: 'running',
        endTime: null,
        counts: zero,
        heartbeatAt: null,
      });

      const counts = { processed: 10, created: 4, updated: 3, unchanged: 2, deleted: 0, failed: 1 };
      await store.updateRunProgress(started.id, {
        counts,
        checkpoint: { after: 'cursor-2' },
        highWaterMark: new Date('2026-01-01T23:00:00.321Z'),
        heartbeatAt: new Date('2026-01-02T00:00:10.000Z'),
      });
      const metrics = {
        apiCalls: 3,
        retries: 1,
        throttled: 0,
        throttledMs: 0,
        durationMs: 1234,
        recordsPerSecond: 8.1,
        pages: 3,
        peakRssBytes: 1e8,
        fetchMs: 900,
        writeMs: 100,
      };
      const finished = await store.finishRun(started.id, {
        status: 'partial',
        counts,
        errorMessage: '1 record failed validation',
        errorKind: 'data',
        performanceMetrics: metrics,
        endTime: new Date('2026-01-02T00:01:00.999Z'),
      });
      expect(finished).toMatchObject({
        id: started.id,
        crmSource: 'hubspot',
        endpoint: '/crm/v3/objects/contacts',
        status: 'partial',
        mode: 'delta',
        trigger: 'schedule',
        counts,
        errorMessage: '1 record failed validation',
        errorKind: 'data',
        configuration: { batchSize: 100, pluginOptions: { archived: false } },
        performanceMetrics: metrics,
        checkpoint: { after: 'cursor-2' },
        highWaterMark: new Date('2026-01-01T23:00:00.321Z'),
        sinceTime: new Date('2026-01-01T00:00:00.500Z'),
        endTime: new Date('2026-01-02T00:01:00.999Z'),
        workerId: 'worker-1',
        leaseMs: 30_000,
      });
      expect(await store.getRun(started.id)).toEqual(finished);
      await expect(
        store.finishRun(started.id, { status: 'success', counts, performanceMetrics: null }),
      ).rejects.toThrow(/it is already partial/);
      await expect(
        store.updateRunProgress(started.id, { counts, heartbeatAt: new Date() }),
      ).rejects.toThrow(/it is already partial/);
      await expect(
        store.finishRun('no-such-run', { status: 'failed', counts, performanceMetrics: null }),
      ).rejects.toThrow(/no such run/);
    });

    it('finds the last successful run, ignoring failures and dry runs, newest first', async () => {
      await freshStore();
      const begin = (startTime: string, dryRun = false) =>
        store.beginRun({
          crmSource: 'callrail',
          syncType: 'calls',
          mode: 'delta',
          trigger: 'cli',
          dryRun,
          configuration: {},
          leaseMs: 1_000,
          startTime: new Date(startTime),
        });
      const finish = (id: string, status: 'success' | 'partial' | 'failed') =>
        store.finishRun(id, { status, counts: zero, performanceMetrics: null });

      const old = await begin('2026-01-01T00:00:00Z');
      await finish(old.id, 'success');
      const partial = await begin('2026-01-02T00:00:00Z');
      await finish(partial.id, 'partial');
      const failed = await begin('2026-01-03T00:00:00Z');
      await finish(failed.id, 'failed');
      const dry = await begin('2026-01-04T00:00:00Z', true);
      await finish(dry.id, 'success');

      expect((await store.lastSuccessfulRun('callrail', 'calls'))?.id).toBe(partial.id);
      expect((await store.lastRun('callrail', 'calls'))?.id).toBe(failed.id);
      expect(await store.lastSuccessfulRun('callrail', 'accounts')).toBeNull();

      const listed = await store.listRuns({ crmSource: 'callrail' });
      expect(listed.map((run) => run.id)).toEqual([dry.id, failed.id, partial.id, old.id]);
      expect(
        (await store.listRuns({ crmSource: 'callrail', status: 'failed' })).map((run) => run.id),
      ).toEqual([failed.id]);
      expect(
        (
          await store.listRuns({
            crmSource: 'callrail',
            startedAfter: new Date('2026-01-01T12:00:00Z'),
            startedBefore: new Date('2026-01-03T12:00:00Z'),
            limit: 1,
          })
        ).map((run) => run.id),
      ).toEqual([failed.id]);
    });

    it('orders runs that started in the same millisecond by creation', async () => {
      await freshStore();
      const startTime = new Date('2026-07-01T00:00:00Z');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const run = await store.beginRun({
          crmSource: 'gsheet',
          syncType: 'rows',
          mode: 'full',
          trigger: 'api',
          dryRun: false,
          configuration: {},
          leaseMs: 1_000,
          startTime,
        });
        // One running run per entity: each ends before the next begins.
        await store.finishRun(run.id, {
          status: 'success',
          counts: zero,
          performanceMetrics: null,
        });
        ids.push(run.id);
      }
      expect((await store.listRuns({ crmSource: 'gsheet' })).map((run) => run.id)).toEqual(
        ids.reverse(),
      );
    });

    it('finds running runs whose heartbeat, or start when none, is older than their lease', async () => {
      await freshStore();
      const now = new Date('2026-08-01T12:00:00Z');
      // Each of another entity: one running run per entity.
      let entity = 0;
      const begin = (startTime: Date, leaseMs: number) =>
        store.beginRun({
          crmSource: 'genius',
          syncType: `jobs-${++entity}`,
          mode: 'full',
          trigger: 'schedule',
          dryRun: false,
          configuration: {},
          leaseMs,
          startTime,
        });
      const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
      const neverBeat = await begin(minutesAgo(10), 5 * 60_000);
      const beatLongAgo = await begin(minutesAgo(30), 5 * 60_000);
      await store.updateRunProgress(beatLongAgo.id, { counts: zero, heartbeatAt: minutesAgo(6) });
      const beatRecently = await begin(minutesAgo(30), 5 * 60_000);
      await store.updateRunProgress(beatRecently.id, { counts: zero, heartbeatAt: minutesAgo(1) });
      const longLease = await begin(minutesAgo(10), 60 * 60_000);
      const finished = await begin(minutesAgo(60), 1_000);
      await store.finishRun(finished.id, {
        status: 'failed',
        counts: zero,
        performanceMetrics: null,
      });

      const stale = (await store.findStaleRuns(now)).map((run) => run.id).sort();
      expect(stale).toEqual([neverBeat.id, beatLongAgo.id].sort());
      expect(stale).not.toContain(beatRecently.id);
      expect(stale).not.toContain(longLease.id);
    });

    it('appends events and lists them in order, with a limit', async () => {
      await freshStore();
      await store.appendEvents([
        { runId, level: 'info', message: 'started' },
        {
          runId,
          level: 'warn',
          message: 'field dropped',
          recordId: 'c1',
          details: { field: 'phone', expected: 'string' },
          at: new Date('2026-01-01T00:00:00.007Z'),
        },
        { runId, level: 'error', message: 'record failed', recordId: 'c2' },
      ]);
      const events = await store.listEvents(runId);
      expect(events.map((event) => event.message)).toEqual([
        'started',
        'field dropped',
        'record failed',
      ]);
      expect(events[1]).toMatchObject({
        runId,
        level: 'warn',
        recordId: 'c1',
        details: { field: 'phone', expected: 'string' },
        at: new Date('2026-01-01T00:00:00.007Z'),
      });
      expect(events[0]).toMatchObject({ recordId: null, details: null });
      expect(typeof events[0]?.id).toBe('string');
      expect(await store.listEvents(runId, { limit: 2 })).toHaveLength(2);
      expect(await store.listEvents('another-run')).toEqual([]);
    });

    it('refuses events of a run that does not exist', async () => {
      await freshStore();
      await expect(
        store.appendEvents([{ runId: 'no-such-run', level: 'info', message: 'orphan' }]),
      ).rejects.toThrow(/cannot log an event for sync run no-such-run: no such run/);
      expect(await store.listEvents('no-such-run')).toEqual([]);
    });

    it('keeps the newest 1,000 events of a run', async () => {
      await freshStore();
      const other = await store.beginRun({
        crmSource: 'faker',
        syncType: 'deals',
        mode: 'full',
        trigger: 'cli',
        dryRun: false,
        configuration: {},
        leaseMs: 60_000,
      });
      await store.appendEvents([{ runId: other.id, level: 'info', message: 'other run' }]);
      for (let page = 0; page < 3; page++) {
        await store.appendEvents(
          Array.from({ length: 400 }, (_, i) => ({
            runId,
            level: 'info' as const,
            message: `event ${page * 400 + i}`,
          })),
        );
      }
      const events = await store.listEvents(runId);
      expect(events).toHaveLength(1_000);
      expect(events[0]?.message).toBe('event 200');
      expect(events.at(-1)?.message).toBe('event 1199');
      expect(await store.listEvents(other.id)).toHaveLength(1);
    });

    it('refuses every call once closed', async () => {
      await freshStore();
      await store.close();
      await expect(store.getRun(runId)).rejects.toThrow(/the store is closed/);
      await expect(
        store.upsertRecords('faker', 'contacts', [contact(1)], { runId, policy: 'overwrite' }),
      ).rejects.toThrow(/the store is closed/);
    });
  });
});

describe('PrismaStore on SQLite while another connection holds the write lock', () => {
  const backend = sqliteBackend();
  afterAll(() => backend.teardown());

  it('waits for the lock without blocking the event loop, then writes', async () => {
    const store = await backend.open();
    const other = new Database(store.target.filename ?? '');
    other.prepare('BEGIN IMMEDIATE').run();
    let released = false;
    // Only a free event loop can run this timer; a synchronous busy wait would starve it.
    setTimeout(() => {
      other.prepare('COMMIT').run();
      released = true;
    }, 300);
    try {
      const result = await store.upsertRecords('faker', 'contacts', [contact(1)], {
        runId: 'r',
        policy: 'overwrite',
      });
      expect(released).toBe(true);
      expect(result.created).toBe(1);
    } finally {
      other.close();
    }
  });
});
