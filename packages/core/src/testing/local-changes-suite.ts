import { beforeEach, describe, expect, it } from 'vitest';
import type { LocalChangeStore, NewLocalChange } from '../contracts/local-changes.js';
import { begin, record, type StoreFixture, storeUnderTest } from './store-suite-fixtures.js';

const change = (recordId: string, over: Partial<NewLocalChange> = {}): NewLocalChange => ({
  crmSource: 'acme',
  entity: 'deals',
  recordId,
  fields: { Stage: 'Won' },
  base: { Stage: 'Open' },
  baseRemoteModifiedAt: new Date('2026-01-02T03:04:05.000Z'),
  author: 'cli',
  ...over,
});

/** The optional write-back capability (Store.localChanges), skipped on a store without it. */
export function describeLocalChangesSuite(name: string, open: () => Promise<StoreFixture>): void {
  describe(`local changes: ${name}`, () => {
    const under = storeUnderTest(open);
    let changes: LocalChangeStore | undefined;
    beforeEach(() => {
      changes = under.store.localChanges;
    });
    const need = (skip: (why: string) => never): LocalChangeStore =>
      changes ?? skip('this store does not offer localChanges');

    it('records a change as pending with its base values and base remote time', async (ctx) => {
      const store = need(ctx.skip);
      const [stored] = await store.recordChanges([
        change('7', { fields: { Stage: 'Won', Amount: 12.5, Tags: ['a', 'b'], Note: null } }),
      ]);
      expect(stored).toMatchObject({
        crmSource: 'acme',
        entity: 'deals',
        recordId: '7',
        fields: { Stage: 'Won', Amount: 12.5, Tags: ['a', 'b'], Note: null },
        base: { Stage: 'Open' },
        author: 'cli',
        state: 'pending',
        reason: null,
        runId: null,
      });
      expect(stored?.baseRemoteModifiedAt?.toISOString()).toBe('2026-01-02T03:04:05.000Z');
      expect(await store.getChange(stored?.id ?? '')).toEqual(stored);
      expect(await store.getChange('no-such-change')).toBeNull();
    });

    it('a second edit of a record with an open change joins it, keeping the first base of a field', async (ctx) => {
      const store = need(ctx.skip);
      const [first] = await store.recordChanges([change('7')]);
      const [second] = await store.recordChanges([
        change('7', {
          fields: { Stage: 'Lost', Amount: 3 },
          base: { Stage: 'Won', Amount: 1 },
          author: 'api',
        }),
      ]);
      expect(second?.id).toBe(first?.id);
      expect(second).toMatchObject({
        fields: { Stage: 'Lost', Amount: 3 },
        base: { Stage: 'Open', Amount: 1 },
        author: 'api',
        state: 'pending',
      });
      expect(await store.countChanges({ crmSource: 'acme' })).toBe(1);
      // A change that was pushed is closed: the next edit is a new change.
      await store.updateChanges([first?.id ?? ''], { state: 'synced', runId: 'run-1' });
      const [third] = await store.recordChanges([change('7', { fields: { Stage: 'Open' } })]);
      expect(third?.id).not.toBe(first?.id);
      expect(await store.countChanges({ crmSource: 'acme' })).toBe(2);
    });

    it('lists changes oldest first, by crm, entity, state and record, with paging', async (ctx) => {
      const store = need(ctx.skip);
      const made = await store.recordChanges([
        change('1'),
        change('2'),
        change('3', { entity: 'contacts' }),
        change('4', { crmSource: 'other' }),
      ]);
      const ids = made.map((c) => c.id);
      expect((await store.listChanges({ crmSource: 'acme' })).map((c) => c.recordId)).toEqual([
        '1',
        '2',
        '3',
      ]);
      expect(
        (await store.listChanges({ crmSource: 'acme', entity: 'deals' })).map((c) => c.recordId),
      ).toEqual(['1', '2']);
      const page = await store.listChanges({ crmSource: 'acme', limit: 2 });
      expect(page.map((c) => c.recordId)).toEqual(['1', '2']);
      expect(
        (await store.listChanges({ crmSource: 'acme', after: page[1]?.id })).map((c) => c.recordId),
      ).toEqual(['3']);
      expect(
        (await store.listChanges({ recordIds: ['2', '4'] })).map((c) => c.recordId).sort(),
      ).toEqual(['2', '4']);
      expect(
        await store.updateChanges([ids[0] ?? '', ids[1] ?? ''], {
          state: 'rejected',
          reason: 'INVALID_DATA: Stage',
          runId: 'run-9',
        }),
      ).toBe(2);
      const rejected = await store.listChanges({ states: ['rejected'] });
      expect(rejected.map((c) => [c.recordId, c.reason, c.runId])).toEqual([
        ['1', 'INVALID_DATA: Stage', 'run-9'],
        ['2', 'INVALID_DATA: Stage', 'run-9'],
      ]);
      expect(await store.countChanges({ states: ['pending'] })).toBe(2);
      expect(await store.updateChanges(['no-such-change'], { state: 'synced' })).toBe(0);
    });

    it('a conflict holds its change and lists the field, base, local and remote values and both times', async (ctx) => {
      const store = need(ctx.skip);
      const [c] = await store.recordChanges([change('7')]);
      const conflict = await store.recordConflict({
        changeId: c?.id ?? '',
        fields: [{ field: 'Stage', base: 'Open', local: 'Won', remote: 'Lost' }],
        localModifiedAt: new Date('2026-02-01T00:00:00.000Z'),
        remoteModifiedAt: new Date('2026-02-02T00:00:00.000Z'),
      });
      expect(conflict).toMatchObject({
        changeId: c?.id,
        crmSource: 'acme',
        entity: 'deals',
        recordId: '7',
        fields: [{ field: 'Stage', base: 'Open', local: 'Won', remote: 'Lost' }],
        resolvedAt: null,
        resolution: null,
      });
      expect(conflict.localModifiedAt.toISOString()).toBe('2026-02-01T00:00:00.000Z');
      expect(conflict.remoteModifiedAt?.toISOString()).toBe('2026-02-02T00:00:00.000Z');
      expect((await store.getChange(c?.id ?? ''))?.state).toBe('conflict');
      expect(await store.getConflict(conflict.id)).toEqual(conflict);
      expect((await store.listConflicts({ crmSource: 'acme' })).map((x) => x.id)).toEqual([
        conflict.id,
      ]);
      expect(await store.listConflicts({ crmSource: 'other' })).toEqual([]);
      expect(await store.markResolved(conflict.id, 'remote')).toBe(true);
      expect(await store.markResolved(conflict.id, 'local')).toBe(false);
      expect(await store.listConflicts()).toEqual([]);
      const [resolved] = await store.listConflicts({ includeResolved: true });
      expect(resolved?.resolution).toBe('remote');
      expect(resolved?.resolvedAt).toBeInstanceOf(Date);
    });

    it('reads the stored records a push merges against by id, in one call (getRecords)', async (ctx) => {
      const store = under.store;
      if (!store.getRecords) return ctx.skip('this store reads records one at a time');
      const run = await store.beginRun(begin());
      await store.upsertRecords('acme', 'deals', [record('1'), record('2'), record('3')], {
        runId: run.id,
        policy: 'overwrite',
      });
      const ids = Array.from({ length: 1_200 }, (_, i) => String(i)); // past SQLite's 999 parameters
      const rows = await store.getRecords('acme', 'deals', ids);
      expect(rows.map((r) => r.externalId).sort()).toEqual(['1', '2', '3']);
      expect(rows.find((r) => r.externalId === '2')?.data).toEqual({ name: 'n2' });
      expect(await store.getRecords('acme', 'other', ['1'])).toEqual([]);
    });
  });
}
