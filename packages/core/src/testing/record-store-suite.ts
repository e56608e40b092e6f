import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../contracts/store.js';
import { contentHash, hashContent } from '../hash.js';
import { begin, record, type StoreFixture, storeUnderTest } from './store-suite-fixtures.js';

/** The record capability (RecordStore): upserts by content hash, soft deletes, reads. */
export function describeRecordStoreSuite(name: string, open: () => Promise<StoreFixture>): void {
  describe(`record store: ${name}`, () => {
    const under = storeUnderTest(open);
    let store: Store;
    beforeEach(() => {
      store = under.store;
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
  });
}
