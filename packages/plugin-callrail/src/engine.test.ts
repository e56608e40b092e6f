import { SyncEngine } from '@crmsync/core';
import { MemoryStore } from '@crmsync/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startCallRailKitFixture } from './fake-server/index.js';
import callrailPlugin from './index.js';

type Fixture = Awaited<ReturnType<typeof startCallRailKitFixture>>;
let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('SyncEngine.runAll over every CallRail entity', () => {
  it('syncs all entities, then a delta re-reads the trailing window and picks up changed old calls', async () => {
    fixture = await startCallRailKitFixture({ size: 200 });
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, progressIntervalMs: 0 });
    const { data } = fixture.fake;
    const first = await engine.runAll({
      plugin: callrailPlugin,
      config: fixture.config,
      options: { batchSize: 40 },
    });
    expect(first.map((r) => r.syncType)[0]).toBe('accounts');
    for (const run of first)
      expect(run.status, `${run.syncType}: ${run.errorMessage}`).toBe('success');
    const created = Object.fromEntries(first.map((r) => [r.syncType, r.counts.created]));
    expect(created).toEqual({
      accounts: 1,
      companies: data.companies.length,
      users: data.users.length,
      tags: data.tags.length,
      trackers: data.trackers.length,
      calls: 200,
      form_submissions: data.form_submissions.length,
      text_messages: data.conversations.length,
    });

    // The oldest call (~89 days old) gets tagged: outside the default 7-day window, inside a 90-day one.
    const [old] = fixture.fake.mutateCalls(1, { oldest: true });
    const recent = fixture.fake.mutateCalls(2);
    const week = await engine.runEntity({
      plugin: callrailPlugin,
      entity: 'calls',
      config: fixture.config,
    });
    expect(week).toMatchObject({ mode: 'delta', status: 'success' });
    expect(week.counts.updated).toBe(2);
    expect(week.counts.processed).toBeLessThan(40);
    for (const id of recent)
      expect((await store.getRecord('callrail', 'calls', id))?.data.lead_status).toBe('good_lead');
    expect((await store.getRecord('callrail', 'calls', String(old)))?.data.lead_status).not.toBe(
      'good_lead',
    );

    const wide = await engine.runEntity({
      plugin: callrailPlugin,
      entity: 'calls',
      config: fixture.config,
      options: { pluginOptions: { 'window-days': 90 } },
    });
    expect(wide.counts.updated).toBe(1);
    expect((await store.getRecord('callrail', 'calls', String(old)))?.data.lead_status).toBe(
      'good_lead',
    );
  });
});
