import { beforeEach, describe, expect, it } from 'vitest';
import { RunAlreadyRunningError } from '../contracts/errors.js';
import type { Store } from '../contracts/store.js';
import {
  counts,
  begin,
  finish,
  type StoreFixture,
  storeUnderTest,
} from './store-suite-fixtures.js';

/** The run capability (RunStore): history rows, the one-running-run rule, queries. */
export function describeRunStoreSuite(name: string, open: () => Promise<StoreFixture>): void {
  describe(`run store: ${name}`, () => {
    const under = storeUnderTest(open);
    let store: Store;
    beforeEach(() => {
      store = under.store;
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
  });
}
