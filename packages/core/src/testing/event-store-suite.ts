import { beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../contracts/store.js';
import { MAX_EVENTS_PER_RUN } from '../store/memory-store.js';
import { begin, type StoreFixture, storeUnderTest } from './store-suite-fixtures.js';

/** The event capability (EventStore): each run's log, in order, its newest lines kept. */
export function describeEventStoreSuite(name: string, open: () => Promise<StoreFixture>): void {
  describe(`event store: ${name}`, () => {
    const under = storeUnderTest(open);
    let store: Store;
    beforeEach(() => {
      store = under.store;
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
