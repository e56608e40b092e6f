import { SyncEngine } from '@crmsync/core';
import { MemoryStore } from '@crmsync/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeniusTestDatabase } from './fake-server/index.js';
import { skipReason } from './fake-server/test-env.js';
import geniusPlugin from './index.js';

const TZ = 'America/New_York';

describe.skipIf(skipReason !== null)('SyncEngine.runAll over every Genius entity', () => {
  let db: GeniusTestDatabase;
  const store = new MemoryStore();
  const engine = new SyncEngine({ store, progressIntervalMs: 0 });
  const config = () => ({ GENIUS_DATABASE_URL: db.url, GENIUS_TIMEZONE: TZ, GENIUS_POOL_SIZE: 2 });

  beforeAll(async () => {
    db = await GeniusTestDatabase.create({ timeZone: TZ, size: 80 });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('syncs every entity in dependency order, each row once', async () => {
    const runs = await engine.runAll({
      plugin: geniusPlugin,
      config: config(),
      options: { batchSize: 25 },
    });
    expect(runs.map((r) => r.syncType).sort()).toEqual(
      geniusPlugin.entities.map((e) => e.name).sort(),
    );
    const order = runs.map((r) => r.syncType);
    expect(order.indexOf('divisions')).toBeLessThan(order.indexOf('prospects'));
    expect(order.indexOf('prospects')).toBeLessThan(order.indexOf('appointments'));
    for (const run of runs) {
      expect(run.errorMessage, run.syncType).toBeNull();
      expect(run.status, run.syncType).toBe('success');
      const table = geniusPlugin.entities
        .find((e) => e.name === run.syncType)
        ?.description?.match(/`(.+)`/)?.[1];
      const [row] = await db.execute(`SELECT COUNT(*) AS n FROM \`${table}\``);
      expect(run.counts.created, run.syncType).toBe(Number(row?.n));
      expect(await store.countRecords('genius', run.syncType)).toBe(Number(row?.n));
    }
    const lead = await store.getRecord('genius', 'leads', '3');
    expect(lead?.data.updated_at).toBeNull();
    expect(lead?.data.added_on).toMatch(/Z$/);
  });

  it('then reads only what changed: deltas by timestamp, reference tables whole with a removed row soft-deleted', async () => {
    await db.touch('job', 'id', 4);
    await db.execute('DELETE FROM job_status WHERE id = 1');
    const runs = await engine.runAll({
      plugin: geniusPlugin,
      config: config(),
      entities: ['jobs', 'job_statuses'],
    });
    const jobs = runs.find((r) => r.syncType === 'jobs');
    const statuses = runs.find((r) => r.syncType === 'job_statuses');
    expect(jobs).toMatchObject({ mode: 'delta', status: 'success' });
    expect(jobs?.counts).toMatchObject({ processed: 4, updated: 4 });
    expect(statuses?.counts).toMatchObject({ deleted: 1, unchanged: statuses?.counts.processed });
    expect((await store.getRecord('genius', 'job_statuses', '1'))?.deletedAt).toBeInstanceOf(Date);
  });
});
