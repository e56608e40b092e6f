import { createLogger, createRequestMetrics, SyncEngine, type SyncOptions } from '@crmsync/core';
import { MemoryStore } from '@crmsync/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { HubspotClient } from './client.js';
import {
  type FakeHubspotHandle,
  type StartFakeHubspotOptions,
  startFakeHubspot,
} from './fake-server/index.js';
import hubspotPlugin from './index.js';

let hs: FakeHubspotHandle | undefined;
afterEach(async () => {
  await hs?.close();
  hs = undefined;
});

async function setup(options: StartFakeHubspotOptions) {
  hs = await startFakeHubspot(options);
  const store = new MemoryStore();
  const lines: string[] = [];
  const logger = createLogger('crmsync', {
    level: 'debug',
    sink: (l) => lines.push(`${l.message} ${JSON.stringify(l.details ?? {})}`),
  });
  const engine = new SyncEngine({ store, logger, progressIntervalMs: 0 });
  const fixture = hs;
  const run = (
    entity: string,
    options: SyncOptions = {},
    config = fixture.config,
    client?: HubspotClient,
  ) =>
    engine.runEntity({ plugin: hubspotPlugin, entity, config, options, ...(client && { client }) });
  return { fake: hs.fake, store, run, lines };
}

const OAUTH = {
  clientId: 'client-id-1',
  clientSecret: 'client-secret-shh-123',
  refreshToken: 'refresh-token-shh-456',
};
const oauthConfig = (baseUrl: string) => ({
  HUBSPOT_BASE_URL: baseUrl,
  HUBSPOT_CLIENT_ID: OAUTH.clientId,
  HUBSPOT_CLIENT_SECRET: OAUTH.clientSecret,
  HUBSPOT_REFRESH_TOKEN: OAUTH.refreshToken,
});

describe('hubspot plugin', () => {
  it('soft-deletes records archived at HubSpot (search never returns them; the archived list does)', async () => {
    const { fake, store, run } = await setup({ counts: { contacts: 60 } });
    expect((await run('contacts')).counts.created).toBe(60);
    fake.objects('contacts').archive([3, 4], new Date());
    const delta = await run('contacts');
    expect(delta).toMatchObject({ status: 'success', mode: 'delta' });
    expect(delta.counts.deleted).toBe(2);
    expect((await store.getRecord('hubspot', 'contacts', '3'))?.deletedAt).toBeInstanceOf(Date);
    expect((await store.getRecord('hubspot', 'contacts', '5'))?.deletedAt ?? null).toBeNull();
    expect(await store.countRecords('hubspot', 'contacts')).toBe(58);
  });

  it('reads contact↔company, contact↔deal and deal↔company links keyed <from>-<to>-<type>', async () => {
    const { fake, store, run } = await setup({ counts: { contacts: 30, companies: 5, deals: 6 } });
    const res = await run('associations', { batchSize: 7 });
    expect(res.errorMessage).toBeNull();
    // 30 contacts × (unlabeled 279 + Primary 1) + every third contact → a deal + 6 deals → a company.
    expect(res.counts.created).toBe(30 * 2 + 10 + 6);
    const deal = await store.getRecord('hubspot', 'associations', '3-1-4');
    expect(deal?.data).toMatchObject({
      from_object_type: 'contacts',
      from_id: '3',
      to_object_type: 'deals',
      to_id: '1',
      association_type_id: 4,
    });
    expect(await store.getRecord('hubspot', 'associations', '1-2-341')).not.toBeNull();
    // The contact's company as the single-object v4 endpoint reports it.
    const res3 = await fetch(`${fake.baseUrl}/crm/v4/objects/contacts/3/associations/companies`, {
      headers: { authorization: `Bearer ${fake.accessToken}` },
    });
    const body = (await res3.json()) as { results: Array<{ toObjectId: number }> };
    const company = body.results[0]?.toObjectId;
    expect(company).toBeGreaterThan(0);
    for (const type of [279, 1])
      expect(
        await store.getRecord('hubspot', 'associations', `3-${company}-${type}`),
      ).not.toBeNull();
  });

  it('soft-deletes a link removed at HubSpot at the next delta (HubSpot reports no removed link)', async () => {
    const { fake, store, run } = await setup({ counts: { contacts: 30, companies: 5, deals: 6 } });
    const total = 30 * 2 + 10 + 6;
    expect((await run('associations')).counts.created).toBe(total);
    const live = async (id: string) =>
      (await store.getRecord('hubspot', 'associations', id))?.deletedAt === null;
    // Contact 3 is linked to deal 1 (every third contact → a deal) and to a company.
    fake.unlink('contacts', 3, 'deals', 1);
    const delta = await run('associations');
    expect(delta).toMatchObject({ status: 'success', mode: 'delta' });
    expect(delta.counts.deleted).toBe(1);
    expect(await live('3-1-4')).toBe(false);
    // The rest of contact 3's links (its company, both association types) and deal 1's stay.
    expect(await store.countRecords('hubspot', 'associations')).toBe(total - 1);
    expect(await live('6-2-4')).toBe(true);
    const full = await run('associations', { full: true });
    expect(full).toMatchObject({ status: 'success', mode: 'full' });
    expect(full.counts.deleted).toBe(0);
    expect(await store.countRecords('hubspot', 'associations')).toBe(total - 1);
  });

  it('OAuth: refreshes the access token by expires_in, before it expires, without a 401', async () => {
    const { fake, run } = await setup({
      counts: { contacts: 200 },
      latencyMs: 120,
      oauth: { ...OAUTH, expiresInSeconds: 61 },
    });
    // Core refreshes 60 s before expiry: a 61 s token is good for one second of requests.
    const res = await run('contacts', { batchSize: 20 }, oauthConfig(fake.baseUrl));
    expect(res.errorMessage).toBeNull();
    expect(res.counts.created).toBe(200);
    expect(fake.stats.tokenRequests).toBeGreaterThanOrEqual(2);
    expect(fake.stats.unauthorized).toBe(0);
  });

  it('OAuth: a 401 on a revoked token refreshes once and the run goes on', async () => {
    const { fake, run } = await setup({ counts: { contacts: 50 }, oauth: OAUTH });
    const config = oauthConfig(fake.baseUrl);
    const client = await hubspotPlugin.createClient({
      config,
      logger: createLogger('test', { level: 'silent' }),
      metrics: createRequestMetrics(),
      signal: new AbortController().signal,
    });
    expect((await run('contacts', {}, config, client)).counts.created).toBe(50);
    expect(fake.stats.tokenRequests).toBe(1);
    fake.expireTokens();
    fake.mutate('contacts', 3);
    const delta = await run('contacts', {}, config, client);
    expect(delta.errorMessage).toBeNull();
    expect(delta.counts.updated).toBe(3);
    expect(fake.stats.unauthorized).toBe(1);
    expect(fake.stats.tokenRequests).toBe(2);
    await client.close();
  });

  it('keeps searches under 5 per second: throttled by our limiter, never a 429', async () => {
    const { fake, run } = await setup({ counts: { contacts: 1000 }, rateLimit: null });
    await run('contacts');
    fake.objects('contacts').touch(
      Array.from({ length: 600 }, (_, k) => k + 1),
      new Date(),
    );
    const delta = await run('contacts', { batchSize: 50 });
    expect(delta.errorMessage).toBeNull();
    expect(delta.counts.processed).toBe(600);
    expect(fake.stats.searchRequests).toBeGreaterThanOrEqual(12);
    expect(fake.stats.rateLimited).toBe(0);
    expect(delta.performanceMetrics?.throttled).toBeGreaterThan(0);
  });

  it('keeps consecutive runs on one account under the rolling 10-second limit: throttled, never a 429', async () => {
    const { fake, run } = await setup({ counts: { contacts: 600 }, rateLimit: 10 });
    const config = { ...hs?.config, HUBSPOT_RATE_LIMIT: 10 };
    // 6 list pages + 1 archived page per run: the second run must wait for the first's requests to age out.
    const first = await run('contacts', { batchSize: 100, force: true }, config);
    const second = await run('contacts', { batchSize: 100, force: true }, config);
    for (const res of [first, second]) {
      expect(res.errorMessage).toBeNull();
      expect(res.counts.processed).toBe(600);
      expect(res.performanceMetrics?.apiCalls).toBe(7);
    }
    expect(fake.stats.rateLimited).toBe(0);
    expect(second.performanceMetrics?.throttled).toBeGreaterThan(0);
  }, 30_000);

  it('reads X-HubSpot-RateLimit-Remaining: a quota shared with another app slows us down before a 429', async () => {
    const { fake, run } = await setup({ counts: { contacts: 300 }, rateLimit: 20 });
    // Another app spends 18 of the account's 20 requests per 10 s.
    for (let i = 0; i < 18; i++)
      await fetch(`${fake.baseUrl}/crm/v3/objects/contacts?limit=1`, {
        headers: { authorization: `Bearer ${fake.accessToken}` },
      });
    const res = await run(
      'contacts',
      { batchSize: 100 },
      { ...hs?.config, HUBSPOT_RATE_LIMIT: 20 },
    );
    expect(res.errorMessage).toBeNull();
    expect(res.counts.created).toBe(300);
    expect(fake.stats.rateLimited).toBe(0);
    expect(res.performanceMetrics?.throttled).toBeGreaterThan(0);
  }, 30_000);

  it('an account over its limit (429, no Retry-After) is waited out', async () => {
    const { fake, run } = await setup({ counts: { contacts: 100 } });
    fake.injectFault({ kind: 'rate-limit' }, 'contacts');
    const res = await run('contacts', { batchSize: 50 });
    expect(res.status).toBe('success');
    expect(res.performanceMetrics?.retries).toBe(1);
  });

  it('a spent DAILY quota fails the run at once as a rate limit, not after retries', async () => {
    const { fake, run } = await setup({ counts: { contacts: 100 }, dailyLimit: 1 });
    const res = await run('contacts', { batchSize: 50 });
    expect(res.status).toBe('failed');
    expect(res.errorKind).toBe('rate_limit');
    expect(res.errorMessage).toMatch(/daily limit\. \(DAILY\)/);
    expect(res.performanceMetrics?.retries).toBe(0);
    // One page read, then one refused request: nothing retried.
    expect(fake.stats.rateLimited).toBe(1);
  });

  it('never puts a private-app token in errors or logs', async () => {
    const { fake, run, lines } = await setup({ counts: { contacts: 10 } });
    const secret = 'pat-na1-wrong-0000-secret-token';
    const res = await run(
      'contacts',
      {},
      { HUBSPOT_BASE_URL: fake.baseUrl, HUBSPOT_ACCESS_TOKEN: secret },
    );
    expect(res.status).toBe('failed');
    expect(res.errorMessage).toMatch(/401/);
    expect(res.errorMessage).not.toContain(secret);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(secret);
  });

  it('never puts OAuth client secrets or refresh tokens in errors or logs', async () => {
    const { fake, run, lines } = await setup({ counts: { contacts: 10 }, oauth: OAUTH });
    const wrong = {
      ...oauthConfig(fake.baseUrl),
      HUBSPOT_REFRESH_TOKEN: 'refresh-token-wrong-789',
    };
    const res = await run('contacts', {}, wrong);
    expect(res.status).toBe('failed');
    expect(res.errorMessage).toMatch(/OAuth/);
    for (const text of [res.errorMessage ?? '', ...lines])
      for (const secret of [OAUTH.clientSecret, 'refresh-token-wrong-789'])
        expect(text).not.toContain(secret);
  });

  it('health pings HubSpot with the configured credentials', async () => {
    const { fake } = await setup({ counts: { contacts: 1 } });
    const context = (config: Record<string, unknown>) => ({
      config,
      logger: createLogger('test', { level: 'silent' }),
      metrics: createRequestMetrics(),
      signal: new AbortController().signal,
    });
    const good = await hubspotPlugin.createClient(
      context({ HUBSPOT_BASE_URL: fake.baseUrl, HUBSPOT_ACCESS_TOKEN: fake.accessToken }),
    );
    expect((await hubspotPlugin.health?.(good, new AbortController().signal))?.ok).toBe(true);
    const bad = await hubspotPlugin.createClient(
      context({ HUBSPOT_BASE_URL: fake.baseUrl, HUBSPOT_ACCESS_TOKEN: 'pat-na1-bad-health-token' }),
    );
    const result = await hubspotPlugin.health?.(bad, new AbortController().signal);
    expect(result?.ok).toBe(false);
    expect(result?.message).toMatch(/401/);
    expect(result?.message).not.toContain('pat-na1-bad-health-token');
  });

  it('is configured by either credential group', async () => {
    const { resolvePluginConfig } = await import('@crmsync/core');
    expect(
      resolvePluginConfig(hubspotPlugin, { env: { HUBSPOT_ACCESS_TOKEN: 'pat-x' } }).configured,
    ).toBe(true);
    const oauth = resolvePluginConfig(hubspotPlugin, {
      env: { HUBSPOT_CLIENT_ID: 'a', HUBSPOT_CLIENT_SECRET: 'b', HUBSPOT_REFRESH_TOKEN: 'c' },
    });
    expect(oauth.configured).toBe(true);
    const none = resolvePluginConfig(hubspotPlugin, { env: {} });
    expect(none.configured).toBe(false);
    expect(none.missing).toEqual(['HUBSPOT_ACCESS_TOKEN']);
  });
});
