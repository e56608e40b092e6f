import {
  bearerAuth,
  createRequestMetrics,
  SyncEngine,
  type SyncOptions,
  silentLogger,
} from '@crmsync/core';
import { MemoryStore } from '@crmsync/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { HubspotClient } from './client.js';
import { type FakeHubspotHandle, startFakeHubspot } from './fake-server/index.js';
import hubspotPlugin from './index.js';

let hs: FakeHubspotHandle | undefined;
afterEach(async () => {
  await hs?.close();
  hs = undefined;
});

/** A fake with `count` contacts and a search cap of `cap`, limits off (these tests are about completeness). */
async function setup(count: number, cap: number) {
  hs = await startFakeHubspot({
    counts: { contacts: count },
    rateLimit: null,
    searchRateLimit: null,
    searchCap: cap,
  });
  const store = new MemoryStore();
  const engine = new SyncEngine({ store, progressIntervalMs: 0 });
  const client = new HubspotClient({
    baseUrl: hs.baseUrl,
    auth: bearerAuth(hs.fake.accessToken),
    metrics: createRequestMetrics(),
    logger: silentLogger(),
    rateLimit: 0,
    searchRateLimit: 0,
    searchCap: cap,
  });
  const config = hs.config;
  const run = (options: SyncOptions = {}) =>
    engine.runEntity({
      plugin: hubspotPlugin,
      entity: 'contacts',
      config,
      options: { batchSize: 200, ...options },
      client,
    });
  return { fake: hs.fake, store, run };
}

/** Changes `ids` with stamps `perMs` to a millisecond, ascending from `start`. */
function touchSpread(fake: FakeHubspotHandle['fake'], ids: number[], start: number, perMs: number) {
  const contacts = fake.objects('contacts');
  ids.forEach((id, k) => {
    contacts.touch([id], new Date(start + Math.floor(k / perMs)), (o) => {
      o.properties.firstname = `Changed${k}`;
    });
  });
}

describe('delta past the search result cap', () => {
  it('restarts at GTE the last stamp and reads every changed record exactly once', async () => {
    const { fake, store, run } = await setup(3000, 250);
    expect((await run()).counts.created).toBe(3000);
    // 1,000 changes, two per millisecond: window edges fall inside a shared stamp.
    const ids = Array.from({ length: 1000 }, (_, k) => 3 * k + 1);
    touchSpread(fake, ids, Date.now() - 2000, 2);
    const before = fake.stats.searchRequests;
    const delta = await run();
    expect(delta.errorMessage).toBeNull();
    expect(delta).toMatchObject({ status: 'success', mode: 'delta' });
    expect(delta.counts).toMatchObject({ processed: 1000, updated: 1000, failed: 0 });
    // 250 results per query: at least four restarts.
    expect(fake.stats.searchRequests - before).toBeGreaterThanOrEqual(5);
    expect((await store.getRecord('hubspot', 'contacts', '2998'))?.data.firstname).toBe(
      'Changed999',
    );
  });

  it('reads more same-stamp changes than the cap holds (a bulk import) by id, then goes on', async () => {
    const { fake, run } = await setup(2000, 250);
    await run();
    const bulk = fake.mutate('contacts', 600, new Date(Date.now() - 5000));
    touchSpread(
      fake,
      Array.from({ length: 100 }, (_, k) => k + 1),
      Date.now() - 1000,
      1,
    );
    const delta = await run({ batchSize: 100 });
    expect(delta.errorMessage).toBeNull();
    expect(delta.counts).toMatchObject({ processed: 700, updated: 700 });
    expect(bulk).toHaveLength(600);
  });

  it("holds at HubSpot's real 10,000 cap", async () => {
    const { fake, run } = await setup(12_000, 10_000);
    await run();
    const ids = Array.from({ length: 10_400 }, (_, k) => k + 1);
    touchSpread(fake, ids, Date.now() - 20_000, 2);
    const delta = await run();
    expect(delta.errorMessage).toBeNull();
    expect(delta.counts).toMatchObject({ processed: 10_400, updated: 10_400, failed: 0 });
  }, 60_000);

  it('a start date reads from that day through search, bounded by an end date', async () => {
    const { fake, run } = await setup(500, 10_000);
    await run();
    const contacts = fake.objects('contacts');
    contacts.touch([10, 11], new Date(Date.UTC(2020, 0, 2, 12)));
    contacts.touch([12], new Date(Date.UTC(2020, 0, 5)));
    const window = await run({
      startDate: new Date(Date.UTC(2020, 0, 1)),
      endDate: new Date(Date.UTC(2020, 0, 3)),
    });
    expect(window.errorMessage).toBeNull();
    expect(window.counts.processed).toBe(2);
  });
});
