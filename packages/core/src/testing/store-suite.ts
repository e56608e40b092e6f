import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunAlreadyRunningError } from '../contracts/errors.js';
import type { BeginRunInput, FinishRunInput, RunCounts } from '../contracts/run.js';
import type { RecordWrite, Store } from '../contracts/store.js';
import { contentHash, hashContent } from '../hash.js';
import { MAX_EVENTS_PER_RUN } from '../store/memory-store.js';

export interface StoreFixture {
  store: Store;
  cleanup(): Promise<void>;
}

const counts = (over: Partial<RunCounts> = {}): RunCounts => ({
  processed: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  failed: 0,
  ...over,
});

const begin = (over: Partial<BeginRunInput> = {}): BeginRunInput => ({
  crmSource: 'acme',
  syncType: 'contacts',
  mode: 'full',
  trigger: 'cli',
  dryRun: false,
  configuration: { batchSize: 100 },
  leaseMs: 60_000,
  ...over,
});

const finish = (over: Partial<FinishRunInput> = {}): FinishRunInput => ({
  status: 'success',
  counts: counts(),
  performanceMetrics: null,
  ...over,
});

export function record(
  id: string,
  data: Record<string, unknown> = { name: `n${id}` },
  updatedAt?: Date,
): RecordWrite {
  return {
    externalId: id,
    data,
    hash: contentHash(data),
    remoteUpdatedAt: updatedAt ?? null,
    remoteCreatedAt: null,
  };
}

/**
 * The behaviour every Store must have. Each implementation runs it:
 *
 * @example
 * describeStoreSuite('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => {} }));
 */
export function describeStoreSuite(name: string, open: () => Promise<StoreFixture>): void {
  describe(`store suite: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('begins a run as running and round-trips every field when it finishes', async () => {
      const started = new Date('2026-01-02T03:04:05.678Z');
      const run = await store.beginRun(
        begin({
          startTime: started,
          sinceTime: new Date('2026-01-01T00:00:00.000Z'),
          workerId: 'w1',
          endpoint: '/contacts',
        }),
      );
      expect(run).toMatchObject({
        status: 'running',
        crmSource: 'acme',
        syncType: 'contacts',
        mode: 'full',
        trigger: 'cli',
        dryRun: false,
        workerId: 'w1',
        endpoint: '/contacts',
        leaseMs: 60_000,
        endTime: null,
      });
      expect(run.startTime.toISOString()).toBe(started.toISOString());
      expect(run.sinceTime?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
      await store.updateRunProgress(run.id, {
        counts: counts({ processed: 5 }),
        checkpoint: { cursor: 'abc' },
        highWaterMark: new Date('2026-01-02T00:00:00.000Z'),
        heartbeatAt: new Date('2026-01-02T03:05:00.000Z'),
      });
      const mid = await store.getRun(run.id);
      expect(mid?.counts.processed).toBe(5);
      expect(mid?.checkpoint).toEqual({ cursor: 'abc' });
      expect(mid?.heartbeatAt?.toISOString()).toBe('2026-01-02T03:05:00.000Z');
      const end = new Date('2026-01-02T03:06:00.001Z');
      const metrics = {
        apiCalls: 3,
        retries: 1,
        throttled: 0,
        throttledMs: 0,
        durationMs: 1000,
        recordsPerSecond: 10,
        pages: 2,
        peakRssBytes: 1,
        fetchMs: 5,
        writeMs: 6,
      };
      const done = await store.finishRun(
        run.id,
        finish({
          status: 'partial',
          counts: counts({ processed: 10, created: 7, updated: 1, unchanged: 1, failed: 1 }),
          errorMessage: 'one record failed',
          errorKind: 'data',
          performanceMetrics: metrics,
          endTime: end,
          checkpoint: null,
        }),
      );
      expect(done).toMatchObject({
        status: 'partial',
        errorMessage: 'one record failed',
        errorKind: 'data',
        performanceMetrics: metrics,
        checkpoint: null,
      });
      expect(done.counts).toEqual(
        counts({ processed: 10, created: 7, updated: 1, unchanged: 1, failed: 1 }),
      );
      expect(done.endTime?.toISOString()).toBe(end.toISOString());
      expect(await store.getRun(run.id)).toEqual(done);
      expect(done.configuration).toEqual({ batchSize: 100 });
    });

    it('round-trips a dry run, its resume link, high-water mark and a failed run checkpoint', async () => {
      const parent = await store.beginRun(begin());
      await store.finishRun(parent.id, finish({ status: 'failed', errorMessage: 'interrupted' }));
      const configuration = { batchSize: 50, pluginOptions: { region: 'eu', pages: [1, 2] } };
      const run = await store.beginRun(
        begin({
          dryRun: true,
          mode: 'delta',
          trigger: 'schedule',
          resumedFromRunId: parent.id,
          configuration,
        }),
      );
      expect(run).toMatchObject({
        dryRun: true,
        mode: 'delta',
        trigger: 'schedule',
        resumedFromRunId: parent.id,
        heartbeatAt: null,
        checkpoint: null,
        highWaterMark: null,
        performanceMetrics: null,
        errorMessage: null,
        errorKind: null,
        sinceTime: null,
        workerId: null,
        endpoint: null,
      });
      expect(run.counts).toEqual(counts());
      expect(run.configuration).toEqual(configuration);
      const high = new Date('2026-03-04T05:06:07.890Z');
      await store.updateRunProgress(run.id, {
        counts: counts({ processed: 3 }),
        checkpoint: { page: 2, after: ['2026-03-04', 'id-9'] },
        highWaterMark: high,
        heartbeatAt: new Date(),
      });
      // An update without checkpoint or high-water mark keeps the ones stored.
      await store.updateRunProgress(run.id, {
        counts: counts({ processed: 4 }),
        heartbeatAt: new Date(),
      });
      const mid = await store.getRun(run.id);
      expect(mid?.checkpoint).toEqual({ page: 2, after: ['2026-03-04', 'id-9'] });
      expect(mid?.highWaterMark?.toISOString()).toBe(high.toISOString());
      expect(mid?.counts.processed).toBe(4);
      const failed = await store.finishRun(
        run.id,
        finish({
          status: 'failed',
          errorMessage: 'acme contacts: socket hang up',
          errorKind: 'transient',
          counts: counts({ processed: 4 }),
          checkpoint: { page: 2, after: ['2026-03-04', 'id-9'] },
          highWaterMark: high,
        }),
      );
      expect(failed).toMatchObject({
        status: 'failed',
        errorKind: 'transient',
        checkpoint: { page: 2, after: ['2026-03-04', 'id-9'] },
        dryRun: true,
        resumedFromRunId: parent.id,
      });
      expect(failed.endTime).toBeInstanceOf(Date);
      expect(await store.getRun(run.id)).toEqual(failed);
      // Dry runs are neither the last run nor the last success.
      expect((await store.lastRun('acme', 'contacts'))?.id).toBe(parent.id);
    });

    it('orders runs begun in the same millisecond by when they were begun', async () => {
      const at = new Date('2026-01-01T00:00:00.000Z');
      const a = await store.beginRun(begin({ startTime: at }));
      await store.finishRun(a.id, finish());
      const b = await store.beginRun(begin({ startTime: at }));
      await store.finishRun(b.id, finish());
      const c = await store.beginRun(begin({ startTime: at }));
      await store.finishRun(c.id, finish({ status: 'failed' }));
      expect((await store.listRuns()).map((r) => r.id)).toEqual([c.id, b.id, a.id]);
      expect((await store.lastRun('acme', 'contacts'))?.id).toBe(c.id);
      expect((await store.lastSuccessfulRun('acme', 'contacts'))?.id).toBe(b.id);
    });

    it('refuses a second running run of an entity, naming the run that holds it', async () => {
      const started = new Date('2026-02-03T04:05:06.789Z');
      const holder = await store.beginRun(
        begin({ trigger: 'schedule', workerId: 'host-a:123', startTime: started }),
      );
      const refusal = await store.beginRun(begin({ trigger: 'cli' })).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(RunAlreadyRunningError);
      const running = (refusal as RunAlreadyRunningError).running;
      expect(running).toMatchObject({
        id: holder.id,
        crmSource: 'acme',
        syncType: 'contacts',
        trigger: 'schedule',
        workerId: 'host-a:123',
      });
      expect(running.startTime.toISOString()).toBe(started.toISOString());
      expect((refusal as Error).message).toContain(holder.id);
      expect((refusal as Error).message).toContain('acme contacts');
      // Nothing was written for the refused run.
      expect((await store.listRuns()).map((r) => r.id)).toEqual([holder.id]);
      // Other entities and CRMs are free; dry runs neither hold an entity nor are refused.
      await store.beginRun(begin({ syncType: 'deals' }));
      await store.beginRun(begin({ crmSource: 'other' }));
      const dry = await store.beginRun(begin({ dryRun: true }));
      await store.beginRun(begin({ dryRun: true, syncType: 'tasks' }));
      await expect(store.beginRun(begin({ syncType: 'tasks' }))).resolves.toMatchObject({
        status: 'running',
      });
      expect(dry.status).toBe('running');
      // Once the holder finished, the entity can be run again.
      await store.finishRun(holder.id, finish({ status: 'failed', errorMessage: 'interrupted' }));
      await expect(store.beginRun(begin())).resolves.toMatchObject({ status: 'running' });
    });

    it('lets exactly one of many concurrent beginRun calls of an entity through', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => store.beginRun(begin({ workerId: `w${i}` }))),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter(
        (r) => r.status === 'rejected' && r.reason instanceof RunAlreadyRunningError,
      );
      expect(won).toHaveLength(1);
      expect(refused).toHaveLength(5);
      expect(await store.listRuns({ status: 'running' })).toHaveLength(1);
    });

    it('refuses to update or finish a run that does not exist', async () => {
      await expect(store.finishRun('no-such-run', finish())).rejects.toThrow();
      await expect(
        store.updateRunProgress('no-such-run', { counts: counts(), heartbeatAt: new Date() }),
      ).rejects.toThrow();
    });

    it('refuses to finish a run twice or to update a finished run', async () => {
      const run = await store.beginRun(begin());
      await store.finishRun(run.id, finish());
      await expect(store.finishRun(run.id, finish({ status: 'failed' }))).rejects.toThrow(
        /already success/,
      );
      await expect(
        store.updateRunProgress(run.id, { counts: counts(), heartbeatAt: new Date() }),
      ).rejects.toThrow();
      expect((await store.getRun(run.id))?.status).toBe('success');
      expect(await store.getRun('no-such-run')).toBeNull();
    });

    it('finds the last successful run, ignoring failed and dry runs', async () => {
      const t = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));
      const ok = await store.beginRun(begin({ startTime: t(1) }));
      await store.finishRun(ok.id, finish());
      const partial = await store.beginRun(begin({ startTime: t(2) }));
      await store.finishRun(partial.id, finish({ status: 'partial' }));
      const failed = await store.beginRun(begin({ startTime: t(3) }));
      await store.finishRun(failed.id, finish({ status: 'failed', errorMessage: 'x' }));
      const dry = await store.beginRun(begin({ startTime: t(4), dryRun: true }));
      await store.finishRun(dry.id, finish());
      await store.beginRun(begin({ startTime: t(5), syncType: 'deals' }));
      expect((await store.lastSuccessfulRun('acme', 'contacts'))?.id).toBe(partial.id);
      expect((await store.lastRun('acme', 'contacts'))?.id).toBe(failed.id);
      expect(await store.lastSuccessfulRun('acme', 'nothing')).toBeNull();
    });

    it('lists runs newest first with filters and a limit', async () => {
      const t = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));
      const a = await store.beginRun(begin({ startTime: t(1) }));
      const b = await store.beginRun(begin({ startTime: t(2), crmSource: 'other' }));
      const c = await store.beginRun(begin({ startTime: t(3), syncType: 'deals' }));
      await store.finishRun(a.id, finish({ status: 'failed' }));
      expect((await store.listRuns()).map((r) => r.id)).toEqual([c.id, b.id, a.id]);
      expect((await store.listRuns({ crmSource: 'acme' })).map((r) => r.id)).toEqual([c.id, a.id]);
      expect((await store.listRuns({ status: 'failed' })).map((r) => r.id)).toEqual([a.id]);
      expect((await store.listRuns({ syncType: 'deals' })).map((r) => r.id)).toEqual([c.id]);
      expect(
        (await store.listRuns({ startedAfter: t(1), startedBefore: t(3) })).map((r) => r.id),
      ).toEqual([b.id]);
      expect((await store.listRuns({ limit: 1 })).map((r) => r.id)).toEqual([c.id]);
    });

    it('finds runs whose heartbeat is older than their lease', async () => {
      const now = new Date('2026-01-01T01:00:00.000Z');
      const stale = await store.beginRun(
        begin({ startTime: new Date('2026-01-01T00:00:00.000Z'), leaseMs: 60_000 }),
      );
      const beating = await store.beginRun(
        begin({
          startTime: new Date('2026-01-01T00:00:00.000Z'),
          leaseMs: 60_000,
          syncType: 'deals',
        }),
      );
      await store.updateRunProgress(beating.id, {
        counts: counts(),
        heartbeatAt: new Date('2026-01-01T00:59:30.000Z'),
      });
      const longLease = await store.beginRun(
        begin({
          startTime: new Date('2026-01-01T00:30:00.000Z'),
          leaseMs: 3_600_000,
          syncType: 'x',
        }),
      );
      const done = await store.beginRun(
        begin({ startTime: new Date('2026-01-01T00:00:00.000Z'), syncType: 'y' }),
      );
      await store.finishRun(done.id, finish());
      const ids = (await store.findStaleRuns(now)).map((r) => r.id);
      expect(ids).toEqual([stale.id]);
      expect(ids).not.toContain(longLease.id);
    });

    it('counts created, updated and unchanged by content hash', async () => {
      const run = await store.beginRun(begin());
      const first = await store.upsertRecords(
        'acme',
        'contacts',
        [record('1'), record('2'), record('3')],
        { runId: run.id, policy: 'overwrite' },
      );
      expect(first).toEqual({ created: 3, updated: 0, unchanged: 0, keptNewer: 0 });
      const second = await store.upsertRecords(
        'acme',
        'contacts',
        [record('1'), record('2', { name: 'changed' }), record('4')],
        { runId: run.id, policy: 'overwrite' },
      );
      expect(second).toEqual({ created: 1, updated: 1, unchanged: 1, keptNewer: 0 });
      const stored = await store.getRecord('acme', 'contacts', '2');
      expect(stored?.data).toEqual({ name: 'changed' });
      expect(stored?.hash).toBe(contentHash({ name: 'changed' }));
      expect(stored?.lastRunId).toBe(run.id);
      expect(await store.countRecords('acme', 'contacts')).toBe(4);
      expect(await store.countRecords('acme', 'other')).toBe(0);
      expect(await store.getRecord('other', 'contacts', '1')).toBeNull();
    });

    it('keeps a stored row that is newer under keep-newer, and overwrites it otherwise', async () => {
      const run = await store.beginRun(begin());
      const newer = new Date('2026-02-01T00:00:00.000Z');
      const older = new Date('2026-01-01T00:00:00.000Z');
      await store.upsertRecords('acme', 'contacts', [record('1', { v: 'new' }, newer)], {
        runId: run.id,
        policy: 'overwrite',
      });
      const kept = await store.upsertRecords(
        'acme',
        'contacts',
        [record('1', { v: 'old' }, older)],
        { runId: run.id, policy: 'keep-newer' },
      );
      expect(kept).toEqual({ created: 0, updated: 0, unchanged: 0, keptNewer: 1 });
      expect((await store.getRecord('acme', 'contacts', '1'))?.data).toEqual({ v: 'new' });
      const forced = await store.upsertRecords(
        'acme',
        'contacts',
        [record('1', { v: 'old' }, older)],
        { runId: run.id, policy: 'overwrite' },
      );
      expect(forced.updated).toBe(1);
      const row = await store.getRecord('acme', 'contacts', '1');
      expect(row?.data).toEqual({ v: 'old' });
      expect(row?.remoteUpdatedAt?.toISOString()).toBe(older.toISOString());
    });

    it('soft-deletes by id and by absence, and undeletes a record seen again', async () => {
      const run = await store.beginRun(begin());
      await store.upsertRecords(
        'acme',
        'contacts',
        ['1', '2', '3', '4'].map((id) => record(id)),
        { runId: run.id, policy: 'overwrite' },
      );
      expect(await store.softDeleteRecords('acme', 'contacts', ['1', '1', 'nope'], run.id)).toBe(1);
      expect(await store.softDeleteRecords('acme', 'contacts', ['1'], run.id)).toBe(0);
      expect((await store.getRecord('acme', 'contacts', '1'))?.deletedAt).toBeInstanceOf(Date);
      expect(await store.softDeleteMissing('acme', 'contacts', new Set(['2']), run.id)).toBe(2);
      expect(await store.countRecords('acme', 'contacts')).toBe(1);
      expect(await store.countRecords('acme', 'contacts', { includeDeleted: true })).toBe(4);
      const back = await store.upsertRecords('acme', 'contacts', [record('3')], {
        runId: run.id,
        policy: 'overwrite',
      });
      expect(back).toEqual({ created: 0, updated: 1, unchanged: 0, keptNewer: 0 });
      expect((await store.getRecord('acme', 'contacts', '3'))?.deletedAt).toBeNull();
    });

    it('soft-deletes the records of the given groups that were not kept', async (ctx) => {
      const method = store.softDeleteMissingInGroups;
      if (!method) return ctx.skip('this store has no softDeleteMissingInGroups');
      const deleteMissing = method.bind(store);
      const run = await store.beginRun(begin());
      const link = (id: string, fromType: string, from: unknown) =>
        record(id, { from_object_type: fromType, from_id: from, to_id: id });
      await store.upsertRecords(
        'acme',
        'links',
        [
          link('a', 'contacts', '1'),
          link('b', 'contacts', '1'),
          link('c', 'contacts', 1), // a number: the group is its text, "1"
          link('d', 'contacts', '2'),
          link('e', 'deals', '1'), // same id, another type: another group
          link('f', 'contacts', null), // in no group
        ],
        { runId: run.id, policy: 'overwrite' },
      );
      await store.upsertRecords('acme', 'other', [link('a', 'contacts', '1')], {
        runId: run.id,
        policy: 'overwrite',
      });
      const scope = { fields: ['from_object_type', 'from_id'], groups: [['contacts', '1']] };
      expect(await deleteMissing('acme', 'links', scope, new Set(['b']), run.id)).toBe(2);
      const live = async (id: string) =>
        (await store.getRecord('acme', 'links', id))?.deletedAt === null;
      expect([await live('a'), await live('b'), await live('c')]).toEqual([false, true, false]);
      expect([await live('d'), await live('e'), await live('f')]).toEqual([true, true, true]);
      expect((await store.getRecord('acme', 'other', 'a'))?.deletedAt).toBeNull();
      // Already deleted rows are not counted again; an empty group list deletes nothing.
      expect(await deleteMissing('acme', 'links', scope, new Set(), run.id)).toBe(1);
      expect(
        await deleteMissing('acme', 'links', { ...scope, groups: [] }, new Set(), run.id),
      ).toBe(0);
    });

    it('keeps first-synced time and creation time, moves last-synced time and run', async () => {
      const run1 = await store.beginRun(begin());
      const run2 = await store.beginRun(begin({ syncType: 'deals' }));
      const t1 = new Date('2026-01-01T00:00:00.000Z');
      const t2 = new Date('2026-01-02T00:00:00.000Z');
      const created = new Date('2025-06-01T00:00:00.000Z');
      await store.upsertRecords(
        'acme',
        'contacts',
        [{ ...record('1', { v: 1 }, t1), remoteCreatedAt: created }],
        { runId: run1.id, policy: 'overwrite', now: t1 },
      );
      const first = await store.getRecord('acme', 'contacts', '1');
      expect(first).toMatchObject({
        crmSource: 'acme',
        entity: 'contacts',
        externalId: '1',
        data: { v: 1 },
        deletedAt: null,
        lastRunId: run1.id,
      });
      expect(first?.firstSyncedAt.toISOString()).toBe(t1.toISOString());
      expect(first?.remoteCreatedAt?.toISOString()).toBe(created.toISOString());
      await store.upsertRecords('acme', 'contacts', [record('1', { v: 2 }, t2)], {
        runId: run2.id,
        policy: 'overwrite',
        now: t2,
      });
      const second = await store.getRecord('acme', 'contacts', '1');
      expect(second?.data).toEqual({ v: 2 });
      expect(second?.firstSyncedAt.toISOString()).toBe(t1.toISOString());
      expect(second?.lastSyncedAt.toISOString()).toBe(t2.toISOString());
      expect(second?.remoteUpdatedAt?.toISOString()).toBe(t2.toISOString());
      expect(second?.remoteCreatedAt?.toISOString()).toBe(created.toISOString());
      expect(second?.lastRunId).toBe(run2.id);
    });

    it('keeps records of each crm and entity apart', async () => {
      const run = await store.beginRun(begin());
      const opts = { runId: run.id, policy: 'overwrite' as const };
      await store.upsertRecords('acme', 'contacts', [record('1', { a: 1 })], opts);
      const other = await store.upsertRecords('acme', 'deals', [record('1', { a: 2 })], opts);
      const crm = await store.upsertRecords('zeta', 'contacts', [record('1', { a: 3 })], opts);
      expect(other.created).toBe(1);
      expect(crm.created).toBe(1);
      expect(await store.softDeleteMissing('acme', 'contacts', new Set(), run.id)).toBe(1);
      expect((await store.getRecord('acme', 'deals', '1'))?.deletedAt).toBeNull();
      expect((await store.getRecord('zeta', 'contacts', '1'))?.data).toEqual({ a: 3 });
      expect(await store.countRecords('acme', 'deals')).toBe(1);
    });

    it('stores the canonical JSON text the engine hands over as the record data', async () => {
      const run = await store.beginRun(begin());
      const opts = { runId: run.id, policy: 'overwrite' as const };
      const data = { name: 'Ada "the first"', tags: ['a', 'b'], nested: { z: 1, a: null } };
      const { hash, json } = hashContent(data);
      const written = await store.upsertRecords(
        'acme',
        'contacts',
        [{ externalId: 'j1', data, hash, json, remoteUpdatedAt: null, remoteCreatedAt: null }],
        opts,
      );
      expect(written.created).toBe(1);
      const stored = await store.getRecord('acme', 'contacts', 'j1');
      expect(stored?.data).toEqual(data);
      expect(stored?.hash).toBe(hash);
      // The same content again, as a plain write without the text: unchanged by its hash.
      const again = await store.upsertRecords('acme', 'contacts', [record('j1', data)], opts);
      expect(again.unchanged).toBe(1);
    });

    it('under keep-newer writes a row that has no remote time or is older', async () => {
      const run = await store.beginRun(begin());
      const opts = { runId: run.id, policy: 'keep-newer' as const };
      const older = new Date('2026-01-01T00:00:00.000Z');
      const newer = new Date('2026-02-01T00:00:00.000Z');
      await store.upsertRecords(
        'acme',
        'contacts',
        [record('1', { v: 1 }), record('2', { v: 1 }, older)],
        opts,
      );
      const result = await store.upsertRecords(
        'acme',
        'contacts',
        [record('1', { v: 2 }, older), record('2', { v: 2 }, newer)],
        opts,
      );
      expect(result).toEqual({ created: 0, updated: 2, unchanged: 0, keptNewer: 0 });
      expect((await store.getRecord('acme', 'contacts', '2'))?.data).toEqual({ v: 2 });
    });

    it('counts an id repeated in one batch as if written one by one', async () => {
      const run = await store.beginRun(begin());
      const result = await store.upsertRecords(
        'acme',
        'contacts',
        [record('1', { v: 1 }), record('1', { v: 1 }), record('1', { v: 2 })],
        { runId: run.id, policy: 'overwrite' },
      );
      expect(result).toEqual({ created: 1, updated: 1, unchanged: 1, keptNewer: 0 });
      expect((await store.getRecord('acme', 'contacts', '1'))?.data).toEqual({ v: 2 });
      expect(await store.countRecords('acme', 'contacts')).toBe(1);
    });

    it('judges an id repeated in one batch against its earlier version under keep-newer', async () => {
      const run = await store.beginRun(begin());
      const older = new Date('2026-01-01T00:00:00.000Z');
      const newer = new Date('2026-02-01T00:00:00.000Z');
      const result = await store.upsertRecords(
        'acme',
        'contacts',
        // 1: the newer version comes first, so the older one after it is kept out; 2: the
        // other way round, so both are written; 3: no time on the first, so the second wins.
        [
          record('1', { v: 2 }, newer),
          record('1', { v: 1 }, older),
          record('2', { v: 1 }, older),
          record('2', { v: 2 }, newer),
          record('3', { v: 1 }),
          record('3', { v: 2 }, older),
        ],
        { runId: run.id, policy: 'keep-newer' },
      );
      expect(result).toEqual({ created: 3, updated: 2, unchanged: 0, keptNewer: 1 });
      for (const id of ['1', '2', '3'])
        expect((await store.getRecord('acme', 'contacts', id))?.data).toEqual({ v: 2 });
    });

    it('writes nothing from a batch holding a record without a content hash', async () => {
      const run = await store.beginRun(begin());
      await store.upsertRecords('acme', 'contacts', [record('0', { v: 0 })], {
        runId: run.id,
        policy: 'overwrite',
      });
      await expect(
        store.upsertRecords(
          'acme',
          'contacts',
          [record('0', { v: 9 }), record('1'), { ...record('2'), hash: '' }],
          { runId: run.id, policy: 'overwrite' },
        ),
      ).rejects.toThrow();
      expect(await store.countRecords('acme', 'contacts')).toBe(1);
      expect((await store.getRecord('acme', 'contacts', '0'))?.data).toEqual({ v: 0 });
    });

    it('writes a batch atomically: one bad record writes nothing', async () => {
      const run = await store.beginRun(begin());
      await expect(
        store.upsertRecords('acme', 'contacts', [record('1'), { ...record('2'), externalId: '' }], {
          runId: run.id,
          policy: 'overwrite',
        }),
      ).rejects.toThrow();
      expect(await store.countRecords('acme', 'contacts')).toBe(0);
    });

    it('appends events in order and lists them per run', async () => {
      const run = await store.beginRun(begin());
      const other = await store.beginRun(begin({ syncType: 'deals' }));
      await store.appendEvents([
        { runId: run.id, level: 'info', message: 'first' },
        {
          runId: run.id,
          level: 'warn',
          message: 'second',
          recordId: '42',
          details: { field: 'email' },
        },
        { runId: other.id, level: 'error', message: 'elsewhere' },
      ]);
      const events = await store.listEvents(run.id);
      expect(events.map((e) => [e.level, e.message, e.recordId])).toEqual([
        ['info', 'first', null],
        ['warn', 'second', '42'],
      ]);
      expect(events[1]?.details).toEqual({ field: 'email' });
      expect(events[0]?.at).toBeInstanceOf(Date);
      expect((await store.listEvents(run.id, { limit: 1 })).map((e) => e.message)).toEqual([
        'first',
      ]);
    });

    it(`keeps the newest ${MAX_EVENTS_PER_RUN} events of a run, oldest of them first`, async () => {
      const run = await store.beginRun(begin());
      const other = await store.beginRun(begin({ syncType: 'deals' }));
      const total = MAX_EVENTS_PER_RUN + 5;
      const events = Array.from({ length: total }, (_, i) => ({
        runId: run.id,
        level: 'info' as const,
        message: `event ${i}`,
      }));
      await store.appendEvents(events.slice(0, 600));
      await store.appendEvents(events.slice(600));
      await store.appendEvents([{ runId: other.id, level: 'info', message: 'other run' }]);
      const kept = await store.listEvents(run.id);
      expect(kept).toHaveLength(MAX_EVENTS_PER_RUN);
      expect(kept[0]?.message).toBe('event 5');
      expect(kept.at(-1)?.message).toBe(`event ${total - 1}`);
      expect(await store.listEvents(other.id)).toHaveLength(1);
    });
  });
}
