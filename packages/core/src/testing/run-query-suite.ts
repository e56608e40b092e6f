import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../contracts/store.js';
import {
  counts,
  begin,
  finish,
  type StoreFixture,
  storeUnderTest,
} from './store-suite-fixtures.js';

/** The run capability's queries: the last successful run, listing, stale runs. */
export function describeRunQuerySuite(name: string, open: () => Promise<StoreFixture>): void {
  describe(`run queries: ${name}`, () => {
    const under = storeUnderTest(open);
    let store: Store;
    beforeEach(() => {
      store = under.store;
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
  });
}
