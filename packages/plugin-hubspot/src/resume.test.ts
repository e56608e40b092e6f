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

async function setup(count: number) {
  hs = await startFakeHubspot({
    counts: { contacts: count },
    rateLimit: null,
    searchRateLimit: null,
  });
  const store = new MemoryStore();
  const engine = new SyncEngine({ store, progressIntervalMs: 0 });
  // Short backoff: six failed attempts in a row end the run in well under a second.
  const client = new HubspotClient({
    baseUrl: hs.baseUrl,
    auth: bearerAuth(hs.fake.accessToken),
    metrics: createRequestMetrics(),
    logger: silentLogger(),
    rateLimit: 0,
    searchRateLimit: 0,
    backoffMs: 5,
  });
  const config = hs.config;
  const run = (options: SyncOptions = {}) =>
    engine.runEntity({
      plugin: hubspotPlugin,
      entity: 'contacts',
      config,
      options: { batchSize: 50, ...options },
      client,
    });
  return { fake: hs.fake, store, run };
}

describe('resuming an interrupted HubSpot run', () => {
  it('a full read resumes at the list cursor of the last written page', async () => {
    const { fake, store, run } = await setup(300);
    fake.injectFault({ kind: 'server-error', count: 6 }, 'contacts', 3);
    const broken = await run();
    expect(broken.status).toBe('failed');
    expect(broken.checkpoint).toMatchObject({ phase: 'list', after: expect.any(String) });
    const resumed = await run();
    expect(resumed).toMatchObject({ status: 'success', resumedFromRunId: broken.id });
    expect(resumed.counts.processed).toBe(300 - broken.counts.processed);
    expect(await store.countRecords('hubspot', 'contacts')).toBe(300);
  });

  it('a delta resumes at the change stamp of the last written page', async () => {
    const { fake, store, run } = await setup(400);
    await run();
    const contacts = fake.objects('contacts');
    const start = Date.now() - 10_000;
    for (let k = 0; k < 200; k++)
      contacts.touch([k + 1], new Date(start + k * 10), (o) => {
        o.properties.firstname = `Resumed${k}`;
      });
    fake.injectFault({ kind: 'server-error', count: 6 }, 'contacts', 2);
    const broken = await run();
    expect(broken).toMatchObject({ status: 'failed', mode: 'delta' });
    expect(broken.checkpoint).toMatchObject({ phase: 'search', since: expect.any(String) });
    const resumed = await run();
    expect(resumed).toMatchObject({ status: 'success', resumedFromRunId: broken.id });
    // Restarting at GTE the last stamp re-reads that one record, nothing earlier.
    expect(resumed.counts.processed).toBe(200 - broken.counts.processed + 1);
    for (const id of ['1', '150', '200'])
      expect((await store.getRecord('hubspot', 'contacts', id))?.data.firstname).toMatch(
        /^Resumed/,
      );
  });
});
