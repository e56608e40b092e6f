import { MemoryStore, SyncEngine, silentLogger } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { readableName } from './client.js';
import { type PipedriveEntity, pipedriveFixture, TIER_HASH } from './fake-server/index.js';
import pipedrivePlugin from './index.js';

describe('pipedrive', () => {
  const open: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of open.splice(0)) await close();
  });

  async function setup(entity: PipedriveEntity, size: number, dailyTokens?: number) {
    const fixture = await pipedriveFixture(entity, size, dailyTokens ? { dailyTokens } : {});
    open.push(() => fixture.close());
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, logger: silentLogger() });
    const run = (
      options: Record<string, unknown> = {},
      config: Record<string, unknown> = fixture.config,
    ) => engine.runEntity({ plugin: pipedrivePlugin, entity, config, trigger: 'cli', options });
    return { fixture, store, run };
  }

  it('asks 500 records a page (the maximum) unless told, sorted by update_time', async () => {
    const { fixture, run } = await setup('persons', 30);
    const one = { pluginOptions: { slices: 1 } };
    await run(one);
    await run({ ...one, force: true, batchSize: 2_000 });
    expect(fixture.requestedPageSizes()).toEqual([500, 500]);
    const list = fixture.api.requests.filter((r) => r.path === '/api/v2/persons');
    expect(list[0]?.query.get('sort_by')).toBe('update_time');
  });

  it('stores custom fields under the names the *Fields endpoint gives, not their hashes', async () => {
    const { store, run, fixture } = await setup('organizations', 5);
    await run();
    const org = await store.getRecord('pipedrive', 'organizations', '2');
    expect(org?.data.tier).toBe('tier-2');
    expect(org?.data).not.toHaveProperty(TIER_HASH);
    expect(org?.data.custom_fields).toBeNull();
    expect(fixture.api.requests.some((r) => r.path === '/api/v2/organizationFields')).toBe(true);
    expect(readableName('Customer Tier (2024) – Région')).toBe('customer_tier_2024_region');
  });

  it('asks deals with status deleted too, and soft-deletes a deleted deal on the next delta', async () => {
    const { fixture, store, run } = await setup('deals', 10);
    expect((await run()).counts.created).toBe(10);
    const [id] = await fixture.remove(1);
    const delta = await run();
    expect(delta.counts).toMatchObject({ deleted: 1 });
    expect((await store.getRecord('pipedrive', 'deals', String(id)))?.deletedAt).toBeInstanceOf(
      Date,
    );
    const asked = fixture.api.requests.filter((r) => r.path === '/api/v2/deals');
    expect(asked.every((r) => r.query.get('status') === 'open,won,lost,deleted')).toBe(true);
  });

  it('authenticates with OAuth: the token’s api_domain is the base, and an expired token is refreshed once', async () => {
    const { fixture, run } = await setup('persons', 700);
    // The base URL setting points nowhere: the token's api_domain must be used.
    const config = { ...fixture.oauth, PIPEDRIVE_BASE_URL: 'http://127.0.0.1:9/api/v2' };
    const unsliced = { pluginOptions: { slices: 1 } };
    let expired = false;
    fixture.api.latencyMs = (r) => {
      // Expire the session after the first page: the second page must re-authenticate.
      if (!expired && r.path === '/api/v2/persons' && r.query.get('cursor')) {
        expired = true;
        fixture.expireAccessTokens();
      }
      return 0;
    };
    const result = await run(unsliced, config);
    expect(result.errorMessage).toBeNull();
    expect(result.counts.created).toBe(700);
    const tokens = fixture.api.requests.filter((r) => r.path === '/oauth/token');
    expect(tokens).toHaveLength(2);
    const statuses = fixture.api.requests
      .filter((r) => r.path === '/api/v2/persons')
      .map((r) => r.status);
    expect(statuses).toEqual([200, 401, 200]);
  });

  it('fails as auth without leaking the client secret when the refresh token is refused', async () => {
    const { fixture, run } = await setup('persons', 3);
    const config = { ...fixture.oauth, PIPEDRIVE_REFRESH_TOKEN: 'pd-refresh-stale' };
    const result = await run({}, config);
    expect(result).toMatchObject({ status: 'failed', errorKind: 'auth' });
    expect(result.errorMessage).not.toContain(fixture.oauth.PIPEDRIVE_CLIENT_SECRET);
  });

  it('stops on a spent daily token budget as a rate limit, not a failure of the data', async () => {
    // 10 tokens a call: the fields call and two pages fit in 30, the third page does not.
    const { fixture, run } = await setup('products', 1_200, 30);
    const result = await run({}, { ...fixture.config, PIPEDRIVE_DAILY_TOKENS: 1_000_000 });
    expect(result).toMatchObject({ status: 'failed', errorKind: 'rate_limit' });
    expect(result.counts.created).toBe(1_000);
    expect(fixture.tokensLeft()).toBe(0);
  });

  it('reads in time slices at once: each span asked with its own bounds, every record once', async () => {
    const { fixture, run } = await setup('persons', 2_000);
    const result = await run({ pluginOptions: { slices: 8 } });
    expect(result.errorMessage).toBeNull();
    expect(result.counts).toMatchObject({ processed: 2_000, created: 2_000 });
    const first = fixture.api.requests.filter(
      (r) =>
        r.path === '/api/v2/persons' && r.query.get('limit') === '500' && !r.query.get('cursor'),
    );
    expect(first).toHaveLength(8);
    // Spans meet exactly: each one's updated_until is the next one's updated_since.
    const bounds = first
      .map((r) => [r.query.get('updated_since'), r.query.get('updated_until')])
      .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    // The first span starts at the oldest record (the probe asked for it with limit 1).
    expect(bounds[0]?.[0]).toBe(fixture.data.persons.records.get('1')?.update_time);
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]?.[0]).toBe(bounds[i - 1]?.[1]);
  });

  it('never counts twice a record that moves to another span during a sliced read', async () => {
    const { fixture, run, store } = await setup('persons', 1_200);
    const touched: string[] = [];
    fixture.api.latencyMs = (r) => {
      // After the first pages, change a record of the oldest span (already read) and one of
      // the newest span (maybe not yet read): both move past the read's pinned end.
      if (touched.length === 0 && r.query.get('cursor')) {
        touched.push('1', '1200');
        for (const id of touched)
          fixture.data.persons.change(
            id,
            { update_time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') },
            Date.now(),
          );
      }
      return 0;
    };
    const first = await run({ pluginOptions: { slices: 4 }, batchSize: 100 });
    expect(first.errorMessage).toBeNull();
    expect(first.counts.created).toBe(first.counts.processed);
    expect(first.counts.processed).toBeLessThanOrEqual(1_200);
    fixture.api.latencyMs = 0;
    // The next delta (from before the first run started) reads both moved records once.
    const delta = await run({ pluginOptions: { slices: 4 } });
    expect(delta.counts.processed).toBe(2);
    for (const id of touched)
      expect(await store.getRecord('pipedrive', 'persons', id)).toBeTruthy();
    expect(await store.countRecords('pipedrive', 'persons')).toBe(1_200);
  });
});
