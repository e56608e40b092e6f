import { expect } from 'vitest';
import type { SyncRun } from '../contracts/run.js';
import type { KitContext } from './plugin-kit-context.js';

/**
 * The scenarios every entity passed before the kit grew stricter: full counts, an exact
 * delta, force, full keeping newer rows, dry run, max records, batch size reaching the CRM,
 * start date, 429 and 5xx recovery, bad records, exact history rows.
 */
export function describeBasicScenarios(kit: KitContext): void {
  const { size, definition } = kit;
  const deltaKind = definition.delta.kind;
  kit.scenario('full', 'a first sync reads every record and creates each once', async () => {
    await kit.start();
    const run = await kit.sync();
    expect(run.errorMessage).toBeNull();
    expect(run).toMatchObject({ status: 'success', mode: 'full' });
    expect(run.counts).toMatchObject({ processed: size, created: size, updated: 0, failed: 0 });
    expect(await kit.count()).toBe(size);
  });

  kit.scenario(
    'delta',
    'a delta fetches the records changed since the last successful run',
    async () => {
      const f = await kit.start();
      expect((await kit.sync()).status).toBe('success');
      const changed = await f.mutate(5);
      expect(changed).toHaveLength(5);
      const run = await kit.sync();
      expect(run).toMatchObject({ status: 'success', mode: 'delta' });
      expect(run.counts.updated).toBe(5);
      if (deltaKind === 'updated-since' || deltaKind === 'created-since')
        expect(run.counts.processed).toBe(5);
      else expect(run.counts.processed).toBeGreaterThanOrEqual(5);
      expect(run.counts.processed).toBeLessThan(size);
      for (const id of changed) expect((await kit.record(id))?.lastRunId).toBe(run.id);
    },
    deltaKind === 'none' ? 'this entity has no delta (every run reads everything)' : undefined,
  );

  kit.scenario(
    'force',
    '--force reads everything again and skips rows whose content is the same',
    async () => {
      await kit.start();
      await kit.sync();
      const run = await kit.sync({ force: true });
      expect(run).toMatchObject({ status: 'success', mode: 'force' });
      expect(run.counts).toMatchObject({
        processed: size,
        created: 0,
        updated: 0,
        unchanged: size,
      });
    },
  );

  kit.scenario(
    'full-keeps-newer',
    '--full keeps a local row newer than the remote one; --force overwrites it',
    async (skip) => {
      const f = await kit.start();
      if (!f.setUpdatedAt) {
        return skip('the fixture has no setUpdatedAt to age a remote record');
      }
      await kit.sync();
      const [id] = await f.mutate(1);
      if (!id) throw new Error('fixture.mutate(1) returned no id');
      await kit.sync();
      const local = await kit.record(id);
      const localUpdated = local?.remoteUpdatedAt;
      expect(localUpdated).toBeInstanceOf(Date);
      await f.setUpdatedAt(id, new Date((localUpdated as Date).getTime() - 86_400_000));
      const full = await kit.sync({ full: true });
      expect(full.mode).toBe('full');
      expect((await kit.record(id))?.remoteUpdatedAt?.getTime()).toBe(
        (localUpdated as Date).getTime(),
      );
      await kit.sync({ force: true });
      expect((await kit.record(id))?.remoteUpdatedAt?.getTime()).toBeLessThan(
        (localUpdated as Date).getTime(),
      );
    },
    !definition?.updatedAtField ? 'the entity has no remote updated time' : undefined,
  );

  kit.scenario('dry-run', '--dry-run counts records and writes none', async () => {
    await kit.start();
    const run = await kit.sync({ dryRun: true });
    expect(run).toMatchObject({ status: 'success', dryRun: true });
    expect(run.counts.processed).toBe(size);
    expect(await kit.count({ includeDeleted: true })).toBe(0);
    expect(await kit.store().lastSuccessfulRun(kit.plugin.name, kit.entity)).toBeNull();
  });

  kit.scenario('max-records', '--max-records stops cleanly after N', async () => {
    await kit.start();
    const run = await kit.sync({ maxRecords: 7 });
    expect(run.status).toBe('success');
    expect(run.counts.processed).toBe(7);
    expect(await kit.count()).toBe(7);
  });

  kit.scenario('batch-size', '--batch-size is the page size asked of the CRM', async () => {
    const f = await kit.start();
    const run = await kit.sync({ batchSize: 13 });
    expect(run.status).toBe('success');
    const sizes = f.requestedPageSizes();
    expect(sizes.length).toBeGreaterThan(1);
    expect(sizes.every((s) => s === 13)).toBe(true);
    expect(run.performanceMetrics?.pages).toBeGreaterThanOrEqual(Math.ceil(size / 13));
  });

  kit.scenario(
    'start-date',
    '--start-date reads from that day on, whatever ran before',
    async () => {
      const f = await kit.start();
      await kit.sync();
      const now = new Date();
      const added = await f.addRecords(3, now);
      const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
      const run = await kit.sync({ startDate: day });
      expect(run).toMatchObject({ status: 'success', mode: 'start-date' });
      expect(run.sinceTime?.getTime()).toBe(day.getTime());
      expect(run.counts.processed).toBeGreaterThanOrEqual(3);
      expect(run.counts.processed).toBeLessThan(size);
      expect(run.counts.created).toBe(3);
      for (const id of added) expect(await kit.record(id)).not.toBeNull();
    },
  );

  kit.scenario(
    'rate-limit',
    'a 429 with Retry-After is waited out and the counts stay right',
    async () => {
      const f = await kit.start();
      f.injectFault({ kind: 'rate-limit', retryAfterSeconds: 1 });
      const run = await kit.sync();
      expect(run.status).toBe('success');
      expect(run.counts).toMatchObject({ processed: size, created: size, failed: 0 });
      expect(run.performanceMetrics?.retries).toBeGreaterThanOrEqual(1);
      // Waited out, not retried at once: the answer said one second.
      expect(run.performanceMetrics?.durationMs).toBeGreaterThanOrEqual(950);
    },
  );

  kit.scenario('server-errors', 'a burst of 5xx is retried and the counts stay right', async () => {
    const f = await kit.start();
    f.injectFault({ kind: 'server-error', count: 3 });
    const run = await kit.sync();
    expect(run.status).toBe('success');
    expect(run.counts).toMatchObject({ processed: size, created: size, failed: 0 });
    expect(run.performanceMetrics?.retries).toBeGreaterThanOrEqual(3);
  });

  kit.scenario(
    'bad-records',
    'bad records fail alone: counted failed, run partial, named in the log',
    async () => {
      const f = await kit.start();
      // Sample data may hold records that strict validation already rejects: count them first.
      const baseline = (await kit.sync({ strictValidation: true, dryRun: true })).counts.failed;
      const bad = await f.corrupt(2);
      const run = await kit.sync({ strictValidation: true });
      expect(run.status).toBe('partial');
      expect(run.counts).toMatchObject({
        processed: size,
        failed: baseline + 2,
        created: size - baseline - 2,
      });
      const events = await kit.store().listEvents(run.id);
      for (const id of bad)
        expect(events.some((e) => e.level === 'error' && e.recordId === id)).toBe(true);
    },
  );

  kit.scenario('history', 'every run leaves one exact history row', async () => {
    await kit.start();
    const before = new Date();
    const run = await kit.sync();
    const rows = await kit.store().listRuns({ crmSource: kit.plugin.name });
    expect(rows).toHaveLength(1);
    const row = rows[0] as SyncRun;
    expect(row).toMatchObject({
      id: run.id,
      crmSource: kit.plugin.name,
      syncType: kit.entity,
      status: 'success',
      mode: 'full',
      trigger: 'cli',
      dryRun: false,
      errorMessage: null,
      errorKind: null,
      checkpoint: null,
      resumedFromRunId: null,
    });
    expect(run).toEqual(row);
    // The options the run used, with the strategy chosen; never the plugin's configuration
    // (its credentials among it) anywhere in the row.
    expect(row.configuration).toMatchObject({ strategy: expect.stringMatching(/^initial full/) });
    const text = JSON.stringify(row);
    for (const value of Object.values(kit.fixture().config))
      if (typeof value === 'string' && value.length >= 8) expect(text).not.toContain(value);
    expect(row.counts.processed).toBe(size);
    expect(row.counts.failed).toBe(0);
    const c = row.counts;
    expect(c.processed).toBe(c.created + c.updated + c.unchanged + c.failed);
    expect(row.startTime.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(row.endTime?.getTime()).toBeGreaterThanOrEqual(row.startTime.getTime());
    expect(row.endTime?.getTime()).toBeLessThanOrEqual(Date.now());
    expect(row.performanceMetrics).toMatchObject({
      pages: expect.any(Number),
      durationMs: expect.any(Number),
      recordsPerSecond: expect.any(Number),
      fetchMs: expect.any(Number),
      writeMs: expect.any(Number),
    });
    expect(row.performanceMetrics?.pages).toBeGreaterThan(0);
    expect(row.performanceMetrics?.peakRssBytes).toBeGreaterThan(0);
    if (kit.plugin.kind === 'api') expect(row.performanceMetrics?.apiCalls).toBeGreaterThan(0);
    expect(await kit.store().findStaleRuns(new Date(Date.now() + 3_600_000))).toHaveLength(0);
  });
}
