import { entitiesFor, SyncEngine } from '@crmsync/core';
import { MemoryStore } from '@crmsync/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeHubspotHandle, startFakeHubspot } from './fake-server/index.js';
import hubspotPlugin from './index.js';

let hs: FakeHubspotHandle | undefined;
afterEach(async () => {
  await hs?.close();
  hs = undefined;
});

describe('SyncEngine.runAll over every HubSpot entity', () => {
  it('syncs standard and custom objects, owners and associations (after their objects), then a delta of each', async () => {
    const counts = {
      contacts: 90,
      companies: 12,
      deals: 20,
      meetings: 15,
      appointments: 25,
      '2-123456': 17,
    };
    hs = await startFakeHubspot({ counts, owners: 4 });
    const config = { ...hs.config, HUBSPOT_CUSTOM_OBJECTS: '2-123456:projects:name|hs_status' };
    expect(entitiesFor(hubspotPlugin, config).map((e) => e.name)).toContain('projects');
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, progressIntervalMs: 0 });
    const first = await engine.runAll({
      plugin: hubspotPlugin,
      config,
      options: { batchSize: 25 },
    });
    for (const run of first)
      expect(run.status, `${run.syncType}: ${run.errorMessage}`).toBe('success');
    const order = first.map((r) => r.syncType);
    for (const dep of ['contacts', 'companies', 'deals'])
      expect(order.indexOf(dep)).toBeLessThan(order.indexOf('associations'));
    const created = Object.fromEntries(first.map((r) => [r.syncType, r.counts.created]));
    expect(created).toMatchObject({
      contacts: 90,
      companies: 12,
      deals: 20,
      meetings: 15,
      appointments: 25,
      projects: 17,
      owners: 4,
      associations: 90 * 2 + 30 + 20,
    });
    const project = await store.getRecord('hubspot', 'projects', '5');
    expect(project?.data).toMatchObject({ id: '5', name: '2-123456 record 5' });
    const deal = await store.getRecord('hubspot', 'deals', '3');
    expect(typeof deal?.data.amount).toBe('number');

    hs.fake.mutate('deals', 2);
    hs.fake.mutate('appointments', 3);
    const second = await engine.runAll({ plugin: hubspotPlugin, config });
    const processed = Object.fromEntries(second.map((r) => [r.syncType, r.counts.processed]));
    for (const run of second)
      expect(run.status, `${run.syncType}: ${run.errorMessage}`).toBe('success');
    expect(second.find((r) => r.syncType === 'contacts')?.mode).toBe('delta');
    // Owners have no change filter and are read whole; the two changed deals bring their links.
    expect(processed).toMatchObject({
      contacts: 0,
      deals: 2,
      appointments: 3,
      projects: 0,
      owners: 4,
      associations: 2,
    });
    expect(second.find((r) => r.syncType === 'deals')?.counts.updated).toBe(2);
  });
});
