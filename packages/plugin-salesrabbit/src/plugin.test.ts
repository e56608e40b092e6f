import { type Logger, MemoryStore, SyncEngine, silentLogger } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { SalesRabbitFake, type SalesRabbitQuirks, TOKEN } from './fake-server/index.js';
import salesrabbitPlugin, { inferTyped } from './index.js';

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

const HOUR = 3_600_000;

async function setup(quirks: SalesRabbitQuirks = {}, config: Record<string, unknown> = {}) {
  const fake = await SalesRabbitFake.start(quirks);
  open.push(() => fake.close());
  const store = new MemoryStore();
  const warnings: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (message: string) => void warnings.push(message),
    error() {},
    child: () => logger,
  };
  const engine = new SyncEngine({ store, logger });
  const run = (entity: string, options: Record<string, unknown> = {}) =>
    engine.runEntity({
      plugin: salesrabbitPlugin,
      entity,
      config: {
        SALESRABBIT_API_TOKEN: TOKEN,
        SALESRABBIT_BASE_URL: fake.baseUrl,
        SALESRABBIT_RETRY_BACKOFF_MS: 10,
        ...config,
      },
      trigger: 'cli',
      options,
    });
  return { fake, store, run, warnings };
}

const requests = (fake: SalesRabbitFake, path: string) =>
  fake.api.requests.filter((r) => r.path === path);

describe('salesrabbit page size', () => {
  it('honoured (perPage, the default name): pages of the size asked, stopping on the short one', async () => {
    const { fake, run, warnings } = await setup();
    for (let n = 1; n <= 25; n++) fake.addLead(n, Date.now() - n * HOUR);
    const result = await run('leads', { batchSize: 10 });
    expect(result.counts.created).toBe(25);
    expect(warnings.filter((w) => w.includes('honour'))).toEqual([]);
    expect(requests(fake, '/leads').map((r) => r.query.get('perPage'))).toEqual(['10', '10', '10']);
  });

  it('ignored and larger than asked: no record lost, paging goes by the size served', async () => {
    // The server knows only `limit`; the plugin sends perPage, so the server serves its 100.
    const { fake, run } = await setup({
      pageSizeParam: 'limit',
      defaultPageSize: 100,
      total: false,
    });
    for (let n = 1; n <= 230; n++) fake.addLead(n, Date.now() - n * HOUR);
    const result = await run('leads', { batchSize: 30 });
    expect(result.counts.created).toBe(230);
    expect(requests(fake, '/leads').map((r) => r.query.get('page'))).toEqual(['1', '2', '3']);
  });

  it('ignored and smaller than asked: a short first page does not end the read', async () => {
    const { fake, run } = await setup({ pageSizeParam: null, defaultPageSize: 25, total: false });
    for (let n = 1; n <= 60; n++) fake.addLead(n, Date.now() - n * HOUR);
    const result = await run('leads', { batchSize: 100 });
    expect(result.counts.created).toBe(60);
    expect(requests(fake, '/leads')).toHaveLength(3);
  });

  it('another parameter name is configurable (SALESRABBIT_PAGE_SIZE_PARAM=limit)', async () => {
    const { fake, run } = await setup(
      { pageSizeParam: 'limit' },
      { SALESRABBIT_PAGE_SIZE_PARAM: 'limit' },
    );
    for (let n = 1; n <= 25; n++) fake.addLead(n, Date.now() - n * HOUR);
    expect((await run('leads', { batchSize: 10 })).counts.created).toBe(25);
    expect(requests(fake, '/leads').map((r) => r.query.get('limit'))).toEqual(['10', '10', '10']);
  });

  it('refuses a page-size parameter that is not a name, naming the setting', async () => {
    const { run } = await setup({}, { SALESRABBIT_PAGE_SIZE_PARAM: 'per page&x=1' });
    const result = await run('leads');
    expect(result.status).toBe('failed');
    expect(result.errorMessage).toContain('SALESRABBIT_PAGE_SIZE_PARAM');
  });
});

describe('salesrabbit users paging', () => {
  const cases: Array<[SalesRabbitQuirks, number]> = [
    [{ usersPaging: 'all' }, 1],
    [{ usersPaging: 'all', total: false }, 3],
    [{ usersPaging: 'zero-indexed' }, 3],
    [{ usersPaging: 'zero-indexed', total: false }, 3],
    [{ usersPaging: 'one-indexed', total: false }, 4],
  ];
  for (const [quirks, calls] of cases)
    it(`reads each user once: ${JSON.stringify(quirks)}`, async () => {
      const { fake, run } = await setup(quirks);
      for (let n = 1; n <= 25; n++) fake.addUser(n, Date.now() - n * HOUR);
      const result = await run('users', { batchSize: 10 });
      expect(result.errorMessage).toBeNull();
      expect(result.counts).toMatchObject({ processed: 25, created: 25 });
      const pages = requests(fake, '/users').map((r) => r.query.get('page'));
      expect(pages[0]).toBe('0');
      expect(pages).toHaveLength(calls);
    });
});

describe('salesrabbit deltas', () => {
  for (const nothingChanged of [304, 'empty'] as const)
    it(`takes ${nothingChanged === 304 ? 'a 304' : 'an empty list'} as nothing changed`, async () => {
      const { fake, store, run } = await setup({ nothingChanged });
      for (let n = 1; n <= 5; n++) fake.addLead(n, Date.now() - n * 24 * HOUR);
      expect((await run('leads')).counts.created).toBe(5);
      const delta = await run('leads');
      expect(delta).toMatchObject({ mode: 'delta', status: 'success' });
      expect(delta.counts).toMatchObject({ processed: 0, deleted: 0 });
      expect(requests(fake, '/leads').at(-1)?.status).toBe(nothingChanged === 304 ? 304 : 200);
      expect((await store.getRecord('salesrabbit', 'leads', '1'))?.deletedAt).toBeNull();
    });

  for (const sinceInclusive of [false, true])
    it(`sends since in If-Modified-Since, a second early (server ${sinceInclusive ? '≥' : '>'})`, async () => {
      const { fake, run } = await setup({ sinceInclusive });
      for (let n = 1; n <= 5; n++) fake.addLead(n, Date.now() - n * 24 * HOUR);
      await run('leads');
      fake.touch(fake.leads, '2', { status: 'Sold' });
      const delta = await run('leads');
      expect(delta.counts).toMatchObject({ processed: 1, updated: 1 });
      const header = fake.api.requests.at(-1);
      expect(header?.status).toBe(200);
    });

  it('a deleted lead (deletedAt) is soft-deleted by the next delta', async () => {
    const { fake, store, run } = await setup();
    for (let n = 1; n <= 5; n++) fake.addLead(n, Date.now() - n * 24 * HOUR);
    await run('leads');
    fake.touch(fake.leads, '3', { deletedAt: '2026-01-01T00:00:00+00:00' });
    const delta = await run('leads');
    expect(delta.counts).toMatchObject({ processed: 0, deleted: 1 });
    expect((await store.getRecord('salesrabbit', 'leads', '3'))?.deletedAt).toBeInstanceOf(Date);
  });

  it('status activities use If-Status-Modified-Since and bring only the new ones', async () => {
    const { fake, run } = await setup();
    for (let n = 1; n <= 5; n++) fake.addActivity(n, Date.now() - n * 24 * HOUR);
    expect((await run('lead_status_activities')).counts.created).toBe(5);
    fake.addActivity(6, Date.now());
    const delta = await run('lead_status_activities');
    expect(delta.counts).toMatchObject({ processed: 1, created: 1 });
    const last = fake.api.requests.filter((r) => r.path === '/leadStatusActivities').at(-1);
    expect(last?.status).toBe(200);
  });
});

describe('salesrabbit custom fields', () => {
  it('keeps customFields whole and as typed custom_<name> columns', async () => {
    const { fake, store, run } = await setup();
    fake.addLead(7, Date.now() - HOUR, {
      installDate: '2026-03-04',
      closedAt: '2026-03-04T10:00:00+00:00',
      hoa: 'Maple',
    });
    await run('leads');
    const row = await store.getRecord('salesrabbit', 'leads', '7');
    expect(row?.data).toMatchObject({
      customFields: { roofAge: '7', financing: 'true', hoa: 'Maple' },
      custom_roofAge: 7,
      custom_financing: true,
      custom_installDate: '2026-03-04',
      custom_closedAt: '2026-03-04T10:00:00.000Z',
      custom_hoa: 'Maple',
    });
  });

  it('declares the custom fields of SALESRABBIT_CUSTOM_FIELDS as typed, validated columns', async () => {
    const custom = JSON.stringify({ roofAge: 'integer', installDate: 'date' });
    const { fake, store, run } = await setup({}, { SALESRABBIT_CUSTOM_FIELDS: custom });
    fake.addLead(7, Date.now() - HOUR, { installDate: '2026-03-04' });
    fake.addLead(8, Date.now() - HOUR, { roofAge: 'old' });
    const entity = salesrabbitPlugin
      .configureEntities?.({ SALESRABBIT_CUSTOM_FIELDS: custom } as never)
      .find((e) => e.name === 'leads');
    expect(entity?.fields.custom_roofAge).toEqual({
      type: 'integer',
      source: 'customFields.roofAge',
    });
    const result = await run('leads', { strictValidation: true });
    expect(result.counts).toMatchObject({ created: 1, failed: 1 });
    expect((await store.getRecord('salesrabbit', 'leads', '7'))?.data).toMatchObject({
      custom_roofAge: 7,
      custom_installDate: '2026-03-04',
      custom_financing: true,
    });
  });

  it('refuses a custom-field declaration that is not one, naming the setting', async () => {
    const { run } = await setup({}, { SALESRABBIT_CUSTOM_FIELDS: '{"roofAge":"number"}' });
    await expect(run('leads')).rejects.toThrow(
      /SALESRABBIT_CUSTOM_FIELDS.*roofAge: "number" is not a type/,
    );
  });

  it('infers types conservatively', () => {
    expect(inferTyped('0123')).toBe('0123'); // a zip or code, not a number
    expect(inferTyped('12.50')).toBe(12.5);
    expect(inferTyped('FALSE')).toBe(false);
    expect(inferTyped(null)).toBeNull();
    expect(inferTyped('2026-13-45')).toBe('2026-13-45');
  });
});

describe('salesrabbit sync all', () => {
  it('runs users, then leads, then status activities', async () => {
    const { fake } = await setup();
    fake.addUser(1, Date.now() - HOUR);
    fake.addLead(1, Date.now() - HOUR);
    fake.addActivity(1, Date.now() - HOUR);
    const engine = new SyncEngine({ store: new MemoryStore(), logger: silentLogger() });
    const runs = await engine.runAll({
      plugin: salesrabbitPlugin,
      config: { SALESRABBIT_API_TOKEN: TOKEN, SALESRABBIT_BASE_URL: fake.baseUrl },
      trigger: 'cli',
      options: {},
    });
    expect(runs.map((r) => [r.syncType, r.status, r.counts.created])).toEqual([
      ['users', 'success', 1],
      ['leads', 'success', 1],
      ['lead_status_activities', 'success', 1],
    ]);
  });
});
