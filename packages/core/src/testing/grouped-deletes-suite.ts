import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../contracts/store.js';
import { begin, record, type StoreFixture, storeUnderTest } from './store-suite-fixtures.js';

/** The optional grouped-deletes capability (Store.groupedDeletes), skipped on a store without it. */
export function describeGroupedDeletesSuite(name: string, open: () => Promise<StoreFixture>): void {
  describe(`grouped deletes: ${name}`, () => {
    const under = storeUnderTest(open);
    let store: Store;
    beforeEach(() => {
      store = under.store;
    });

    it('soft-deletes the records of the given groups that were not kept', async (ctx) => {
      const grouping = store.groupedDeletes;
      if (!grouping) return ctx.skip('this store does not offer groupedDeletes');
      const deleteMissing = grouping.softDeleteMissingInGroups.bind(grouping);
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
  });
}
