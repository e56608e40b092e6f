import { describe, expect, it } from 'vitest';
import type { Store } from '../contracts/store.js';
import { type StoreFixture, storeUnderTest } from './store-suite-fixtures.js';

/** The optional shared-state capabilities (Store.requestBudgets, Store.sourceMarks). */
export function describeSharedStateSuite(name: string, open: () => Promise<StoreFixture>): void {
  describe(`shared state: ${name}`, () => {
    const under = storeUnderTest(open);
    const store = (): Store => under.store;

    it('grants a budget up to its limit per window, then says how long until the next', async (ctx) => {
      const budgets = store().requestBudgets;
      if (!budgets) return ctx.skip('this store does not offer requestBudgets');
      const at = new Date(Date.UTC(2026, 11, 5, 10, 0, 30));
      const takes = [];
      for (let i = 0; i < 4; i++) takes.push(await budgets.take('vendor:a', 3, 60_000, at));
      expect(takes).toEqual([0, 0, 0, 30_000]);
      // Another key has its own budget; the next window a fresh one.
      expect(await budgets.take('vendor:b', 3, 60_000, at)).toBe(0);
      expect(await budgets.take('vendor:a', 3, 60_000, new Date(at.getTime() + 30_000))).toBe(0);
    });

    it('counts takes made at once exactly: never more than the limit granted', async (ctx) => {
      const budgets = store().requestBudgets;
      if (!budgets) return ctx.skip('this store does not offer requestBudgets');
      const at = new Date(Date.UTC(2026, 11, 5, 11, 0, 0));
      const takes = await Promise.all(
        Array.from({ length: 12 }, () => budgets.take('vendor:burst', 5, 60_000, at)),
      );
      expect(takes.filter((w) => w === 0)).toHaveLength(5);
    });

    it('keeps the marks of each entity, merging later ones over earlier ones', async (ctx) => {
      const marks = store().sourceMarks;
      if (!marks) return ctx.skip('this store does not offer sourceMarks');
      expect(await marks.get('gsheet', 'leads')).toEqual({});
      await marks.set('gsheet', 'leads', { modifiedTime: '2026-12-05T10:00:00.000Z', a: '1' });
      await marks.set('gsheet', 'leads', { modifiedTime: '2026-12-05T11:00:00.000Z' });
      await marks.set('gsheet', 'spends', { modifiedTime: 'x' });
      expect(await marks.get('gsheet', 'leads')).toEqual({
        modifiedTime: '2026-12-05T11:00:00.000Z',
        a: '1',
      });
      expect(await marks.get('gsheet', 'spends')).toEqual({ modifiedTime: 'x' });
    });
  });
}
