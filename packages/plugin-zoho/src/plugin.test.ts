import { createLogger, MemoryStore, type SyncOptions, SyncEngine } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeZoho,
  type FakeZohoOptions,
  fakeZohoConfig,
  REGIONS,
  startFakeZoho,
} from './fake-server/index.js';
import { moduleEntity } from './entities/module.js';
import zohoPlugin, { createZohoClient, createZohoWriter } from './index.js';

/** The config as the plugin parses it (the defaults filled in). */
const parsed = (config: Record<string, string>) => ({
  ZOHO_BASE_URL: config.ZOHO_BASE_URL ?? '',
  ZOHO_ACCOUNTS_URL: config.ZOHO_ACCOUNTS_URL ?? '',
  ZOHO_CLIENT_ID: config.ZOHO_CLIENT_ID,
  ZOHO_CLIENT_SECRET: config.ZOHO_CLIENT_SECRET,
  ZOHO_REFRESH_TOKEN: config.ZOHO_REFRESH_TOKEN,
  ZOHO_CONCURRENCY: Number(config.ZOHO_CONCURRENCY ?? 10),
  ZOHO_DAILY_CREDITS: 50_000,
});

let open: FakeZoho[] = [];
afterEach(async () => {
  for (const fake of open) await fake.close();
  open = [];
});

async function setup(options: FakeZohoOptions = {}) {
  const fake = await startFakeZoho(options);
  open.push(fake);
  const store = new MemoryStore();
  const lines: string[] = [];
  const logger = createLogger('crmsync', {
    level: 'debug',
    sink: (l) => lines.push(`${l.message} ${JSON.stringify(l.details ?? {})}`),
  });
  const engine = new SyncEngine({ store, logger, progressIntervalMs: 0 });
  const config: Record<string, string> = fakeZohoConfig(fake);
  const run = (entity: string, options: SyncOptions = {}, cfg = config) =>
    engine.runEntity({ plugin: zohoPlugin, entity, config: cfg, options });
  const listed = (module: string) =>
    fake.api.requests.filter((r) => r.method === 'GET' && r.path === `/crm/v8/${module}`);
  return { fake, store, run, config, lines, listed };
}

describe('zoho plugin: auth', () => {
  it('gets a token by the refresh flow, sends it as Zoho-oauthtoken, and refreshes it once after a 401', async () => {
    const { fake, run } = await setup({ size: 30 });
    expect((await run('deals')).counts.created).toBe(30);
    expect(fake.tokenRequests()).toBe(1);
    fake.expireTokens();
    fake.org.touch('Deals', fake.org.module('Deals').records.all()[0]?.id ?? '');
    const delta = await run('deals');
    expect(delta).toMatchObject({ status: 'success', mode: 'delta' });
    expect(delta.counts.updated).toBe(1);
    // Each run's client fetches its own token: one for the second run, none more after the 401.
    expect(fake.tokenRequests()).toBe(2);
  });

  it("sends requests to the token's api_domain, not to ZOHO_BASE_URL", async () => {
    const { fake, run, config } = await setup({ size: 5 });
    // The accounts server of `fake` says the org lives on `other`'s host, which accepts its tokens.
    const other = await startFakeZoho({ size: 7, tokens: fake.tokens });
    open.push(other);
    fake.setApiDomain(other.url);
    const result = await run('deals', {}, { ...config, ZOHO_BASE_URL: 'http://127.0.0.1:9' });
    expect(result.errorMessage).toBeNull();
    expect(result.counts.created).toBe(7);
    expect(other.api.count((r) => r.path === '/crm/v8/Deals')).toBeGreaterThan(0);
    expect(fake.api.count((r) => r.path === '/crm/v8/Deals')).toBe(0);
  });

  it('fails as auth, naming no secret, when the accounts server refuses the refresh token (HTTP 200 {error})', async () => {
    const { run, config, store } = await setup({ size: 3 });
    const result = await run('deals', {}, { ...config, ZOHO_REFRESH_TOKEN: '1000.revoked' });
    expect(result).toMatchObject({ status: 'failed', errorKind: 'auth' });
    expect(result.errorMessage).toContain('invalid_code');
    expect(result.errorMessage).not.toContain('1000.revoked');
    expect(result.errorMessage).not.toContain(config.ZOHO_CLIENT_SECRET);
    expect(await store.countRecords('zoho', 'deals')).toBe(0);
  });

  it('uses a fixed ZOHO_ACCESS_TOKEN without the refresh flow', async () => {
    const { fake, run } = await setup({ size: 4 });
    const result = await run(
      'contacts',
      {},
      {
        ZOHO_ACCESS_TOKEN: fake.issueToken(),
        ZOHO_BASE_URL: fake.url,
        ZOHO_ACCOUNTS_URL: fake.url,
      },
    );
    expect(result.counts.created).toBe(4);
    expect(fake.tokenRequests()).toBe(0);
  });
});

describe('zoho plugin: reading', () => {
  it('pages with page/per_page up to 2,000 records, then follows page_token', async () => {
    const { run, listed, store } = await setup({ size: 2_300 });
    const result = await run('deals');
    expect(result.counts.created).toBe(2_300);
    expect(await store.countRecords('zoho', 'deals')).toBe(2_300);
    const asked = listed('Deals').map((r) => ({
      page: r.query.get('page'),
      token: r.query.has('page_token'),
      per: r.query.get('per_page'),
      status: r.status,
    }));
    expect(asked.slice(0, 10).map((a) => a.page)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
    ]);
    expect(asked.slice(10)).toEqual([
      { page: null, token: true, per: '200', status: 200 },
      { page: null, token: true, per: '200', status: 200 },
    ]);
    // Every list named its fields, custom ones included.
    expect(listed('Deals').every((r) => r.query.get('fields')?.includes('Install_Region'))).toBe(
      true,
    );
  });

  it('takes 204 (no records) and 304 (nothing modified since) as empty answers', async () => {
    const { fake, run, listed } = await setup();
    const first = await run('leads');
    expect(first).toMatchObject({ status: 'success', counts: { processed: 0 } });
    expect(listed('Leads').map((r) => r.status)).toEqual([204]);
    fake.org.addRecord('Leads', {}, Date.now() - 86_400_000);
    expect((await run('leads', { full: true })).counts.created).toBe(1);
    const delta = await run('leads');
    expect(delta).toMatchObject({ status: 'success', mode: 'delta', counts: { processed: 0 } });
    const last = listed('Leads').at(-1);
    expect(last?.status).toBe(304);
  });

  it('reads each standard module into its entity, and soft-deletes what /deleted lists', async () => {
    const { fake, run, store } = await setup({ size: 12 });
    for (const [entity, module, field] of [
      ['contacts', 'Contacts', 'Email'],
      ['accounts', 'Accounts', 'Website'],
      ['leads', 'Leads', 'Company'],
      ['deals', 'Deals', 'Stage'],
    ] as const) {
      expect((await run(entity)).counts.created).toBe(12);
      const gone = fake.org.module(module).records.all()[2]?.id ?? '';
      const row = await store.getRecord('zoho', entity, gone);
      expect(row?.data[field]).toBeTruthy();
      fake.org.remove(module, gone);
      const delta = await run(entity);
      expect(delta.counts).toMatchObject({ deleted: 1, processed: 0 });
      expect((await store.getRecord('zoho', entity, gone))?.deletedAt).toBeInstanceOf(Date);
    }
  });

  it('types fields from the metadata: the custom picklist Install_Region, checked against its values', async () => {
    const { fake, store, config, lines } = await setup({ size: 3 });
    // An entity that declares no field of its own: every column comes from the metadata.
    const bare = moduleEntity({ name: 'deals', module: 'Deals' });
    const plugin = { ...zohoPlugin, entities: [bare], configureEntities: undefined };
    const engine = new SyncEngine({
      store,
      logger: createLogger('crmsync', { level: 'debug', sink: (l) => lines.push(l.message) }),
    });
    const ids = fake.org
      .module('Deals')
      .records.all()
      .map((r) => r.id);
    fake.org.touch('Deals', ids[0] ?? '', { Install_Region: 'Atlantis' });
    const result = await engine.runEntity({ plugin, entity: 'deals', config, options: {} });
    expect(result.counts.created).toBe(3);
    expect(bare.fields).toMatchObject({
      Install_Region: { type: 'string', description: 'Install Region' },
      Amount: { type: 'decimal' },
      Closing_Date: { type: 'date' },
      Probability: { type: 'integer' },
      Deal_Name: { type: 'string', maxLength: 120 },
      Account_Name: { type: 'json' },
    });
    expect(REGIONS).toContain(
      (await store.getRecord('zoho', 'deals', ids[1] ?? ''))?.data.Install_Region,
    );
    expect(lines.join('\n')).toMatch(/Install_Region.*Atlantis.*not a value of the picklist/);
    const strict = await engine.runEntity({
      plugin,
      entity: 'deals',
      config,
      options: { force: true, strictValidation: true },
    });
    expect(strict.counts.failed).toBe(1);
  });

  it('syncs a module listed in ZOHO_MODULES as its lower-case entity', async () => {
    const { fake, run, config, store } = await setup({ modules: ['Vendors'], size: 6 });
    const result = await run('vendors', {}, { ...config, ZOHO_MODULES: 'Vendors' });
    expect(result.counts.created).toBe(6);
    const id = fake.org.module('Vendors').records.all()[0]?.id ?? '';
    expect((await store.getRecord('zoho', 'vendors', id))?.data.Name).toMatch(/^Vendors \d+$/);
  });

  it('retries TOO_MANY_REQUESTS past the concurrency cap, and keeps under it when told the cap', async () => {
    const { fake, run, config } = await setup({ size: 10, concurrency: 1, latencyMs: 60 });
    // Told a cap of 2 where the edition allows 1: the second call is refused and retried.
    const writer = createZohoWriter(parsed({ ...config, ZOHO_CONCURRENCY: '2' }));
    const ids = fake.org
      .module('Deals')
      .records.all()
      .slice(0, 2)
      .map((r) => r.id);
    const got = await Promise.all(ids.map((id) => writer.fetchOne('Deals', id)));
    expect(got.map((r) => r?.id)).toEqual(ids);
    expect(fake.limits.refused).toBeGreaterThan(0);
    expect(fake.api.requests.filter((r) => r.status === 429)).not.toHaveLength(0);
    fake.limits.refused = 0;
    fake.limits.peak = 0;
    const capped = await Promise.all(
      ['deals', 'contacts', 'accounts', 'leads'].map((e) =>
        run(e, { force: true }, { ...config, ZOHO_CONCURRENCY: '1' }),
      ),
    );
    expect(capped.every((r) => r.status === 'success')).toBe(true);
    expect(fake.limits.refused).toBe(0);
    expect(fake.limits.peak).toBe(1);
  });

  it('loads a module over ZOHO_BULK_THRESHOLD with one Bulk Read job (ZIP of CSV), typed like a paged read', async () => {
    const { fake, run, config, store } = await setup({
      size: 450,
      bulk: { queueMs: 200, rowsPerSecond: 100_000 },
    });
    const bulk = { ...config, ZOHO_BULK_THRESHOLD: '400', ZOHO_BULK_POLL_MS: '50' };
    const result = await run('deals', { batchSize: 100 }, bulk);
    expect(result).toMatchObject({ status: 'success', counts: { created: 450, failed: 0 } });
    const paths = fake.api.requests.map((r) => `${r.method} ${r.route ?? r.path}`);
    expect(paths.filter((p) => p === 'POST /crm/bulk/v8/read')).toHaveLength(1);
    expect(paths.filter((p) => p === 'GET /crm/bulk/v8/read/:job/result')).toHaveLength(1);
    expect(paths).not.toContain('GET /crm/v8/:module');
    const raw = fake.org.module('Deals').records.all()[7];
    if (!raw) throw new Error('the fake has no 8th deal');
    const row = await store.getRecord('zoho', 'deals', raw?.id ?? '');
    expect(row?.data).toMatchObject({
      Amount: raw?.Amount,
      Probability: raw?.Probability,
      Stage: raw?.Stage,
      Install_Region: raw?.Install_Region,
      Closing_Date: raw?.Closing_Date,
      Description: null,
      Account_Name: { id: (raw.Account_Name as { id: string }).id },
    });
    // Later deltas page with If-Modified-Since as usual.
    fake.org.touch('Deals', raw?.id ?? '', { Stage: 'Closed Won' });
    const delta = await run('deals', {}, bulk);
    expect(delta.counts.updated).toBe(1);
    expect(fake.api.count((r) => r.method === 'POST' && r.path === '/crm/bulk/v8/read')).toBe(1);
  });

  it('resumes an interrupted bulk load from its job and row, adding no second job', async () => {
    const { fake, config, store } = await setup({ size: 450, bulk: { queueMs: 0 } });
    const bulk = { ...config, ZOHO_BULK_THRESHOLD: '400', ZOHO_BULK_POLL_MS: '20' };
    const engine = new SyncEngine({ store, progressIntervalMs: 0 });
    const stop = new AbortController();
    const first = await engine.runEntity({
      plugin: zohoPlugin,
      entity: 'deals',
      config: bulk,
      options: { batchSize: 100 },
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === 'run-progress' && e.pages >= 2) stop.abort(new Error('stopped by the test'));
      },
    });
    expect(first.status).toBe('failed');
    const written = await store.countRecords('zoho', 'deals');
    expect(written).toBeGreaterThan(0);
    const second = await engine.runEntity({
      plugin: zohoPlugin,
      entity: 'deals',
      config: bulk,
      options: { batchSize: 100 },
    });
    expect(second).toMatchObject({ status: 'success', resumedFromRunId: first.id });
    expect(second.counts.created).toBe(450 - written);
    expect(fake.api.count((r) => r.method === 'POST' && r.path === '/crm/bulk/v8/read')).toBe(1);
  });

  it('asks at most 50 fields a list, custom ones before the rest, and warns of those left out', async () => {
    const { fake, run, listed, lines } = await setup({ size: 3 });
    const deals = fake.org.module('Deals');
    const template = deals.fields.find((f) => f.api_name === 'Deal_Name');
    for (let i = 1; i <= 45; i++)
      if (template)
        deals.fields.push({
          ...template,
          api_name: `Extra_${i}`,
          custom_field: i <= 2,
          system_mandatory: false,
        });
    expect((await run('deals')).status).toBe('success');
    const asked = listed('Deals')[0]?.query.get('fields')?.split(',') ?? [];
    expect(asked).toHaveLength(50);
    expect(asked.slice(0, 2)).toEqual(['Modified_Time', 'Created_Time']);
    expect(asked).toEqual(
      expect.arrayContaining(['Install_Region', 'Extra_1', 'Extra_2', 'Deal_Name']),
    );
    expect(lines.join('\n')).toMatch(/Zoho lists at most 50; left out: .*Extra_45/);
  });

  it('runs COQL selects through the client; no rows is an empty answer', async () => {
    const { fake, config } = await setup({ size: 8 });
    const client = createZohoClient(parsed(config));
    const signal = new AbortController().signal;
    const deals = fake.org.module('Deals').records.all();
    const from = String(deals[5]?.Modified_Time);
    const page = await client.coql(
      `select Deal_Name, Modified_Time from Deals where Modified_Time >= '${from}' order by Modified_Time, id limit 0, 200`,
      signal,
    );
    expect(page.data.map((r) => r.id)).toEqual(deals.slice(5).map((r) => r.id));
    expect(page.info.more_records).toBe(false);
    const none = await client.coql("select id from Deals where Deal_Name = 'nobody'", signal);
    expect(none).toMatchObject({ status: 204, data: [] });
  });
});
