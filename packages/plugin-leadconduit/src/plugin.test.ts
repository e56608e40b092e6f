import { MemoryStore, SyncEngine, silentLogger } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY, LeadConduitFake, type LeadConduitQuirks } from './fake-server/index.js';
import leadconduitPlugin, { objectIdFloor } from './index.js';

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

async function setup(quirks: LeadConduitQuirks = {}) {
  const fake = await LeadConduitFake.start(quirks);
  open.push(() => fake.close());
  const store = new MemoryStore();
  const engine = new SyncEngine({ store, logger: silentLogger() });
  const config = {
    LEADCONDUIT_API_KEY: API_KEY,
    LEADCONDUIT_BASE_URL: fake.baseUrl,
    LEADCONDUIT_RETRY_BACKOFF_MS: 10,
  };
  const run = (entity: string, options: Record<string, unknown> = {}) =>
    engine.runEntity({ plugin: leadconduitPlugin, entity, config, trigger: 'cli', options });
  return { fake, store, run };
}

const HOUR = 3_600_000;

describe('leadconduit', () => {
  for (const requireAccept of [true, false])
    it(`reads events whether or not the API insists on Accept (requireAccept: ${requireAccept})`, async () => {
      const { fake, run } = await setup({ requireAccept });
      for (let n = 1; n <= 5; n++) fake.addLead(n, Date.now() - n * HOUR);
      const result = await run('events');
      expect(result.errorMessage).toBeNull();
      expect(result.counts.created).toBe(10);
      // The switch really changes the fake: a request without Accept is refused only when on.
      const auth = `Basic ${Buffer.from(`x:${API_KEY}`).toString('base64')}`;
      const bare = await fetch(`${fake.baseUrl}/events`, { headers: { authorization: auth } });
      expect(bare.status).toBe(requireAccept ? 403 : 200);
      if (requireAccept)
        expect(await bare.json()).toEqual({
          error: 'misconfigured csrf: check Accept header is set properly',
        });
    });

  for (const defaultSort of ['asc', 'desc'] as const)
    it(`pages by after_id in ascending id order whatever the default sort (${defaultSort})`, async () => {
      const { fake, run } = await setup({ defaultSort });
      for (let n = 1; n <= 25; n++) fake.addLead(n, Date.now() - (30 - n) * HOUR);
      const result = await run('events', { batchSize: 7 });
      expect(result.counts.created).toBe(50);
      const events = fake.api.requests.filter((r) => r.path === '/events');
      expect(events.every((r) => r.query.get('sort') === 'asc')).toBe(true);
      // Each page after the first asks after the last id of the one before (exclusive).
      const afters = events.map((r) => r.query.get('after_id'));
      expect(afters[0]).toBeNull();
      const ids = fake.events.map((e) => e.id);
      for (let i = 1; i < afters.length; i++) expect(afters[i]).toBe(ids[i * 7 - 1]);
    });

  it('a delta starts its id cursor at since and reads only the new events, even of one millisecond', async () => {
    const { fake, run } = await setup();
    for (let n = 1; n <= 6; n++) fake.addLead(n, Date.now() - n * 24 * HOUR);
    expect((await run('events')).counts.created).toBe(12);
    // Three leads arrive; each lead's source and recipient step share a millisecond.
    const at = Date.now();
    for (let n = 7; n <= 9; n++) fake.addLead(n, at);
    const delta = await run('events');
    expect(delta).toMatchObject({ mode: 'delta', status: 'success' });
    expect(delta.counts).toMatchObject({ processed: 6, created: 6 });
    const first = fake.api.requests.filter((r) => r.path === '/events').at(-1);
    const after = first?.query.get('after_id') ?? '';
    expect(after).toMatch(/^[0-9a-f]{24}$/);
    expect(after <= objectIdFloor(Date.now() - 60_000)).toBe(true);
    expect(first?.query.get('start')).toBeNull();
  });

  it('leads are the source events, with the lead fields as columns and the rest kept', async () => {
    const { fake, store, run } = await setup();
    const [source] = fake.addLead(42, Date.now() - HOUR);
    fake.addLead(43, Date.now() - HOUR / 2);
    const result = await run('leads');
    expect(result.counts.created).toBe(2);
    const row = await store.getRecord('leadconduit', 'leads', String(source?.id));
    expect(row?.data).toMatchObject({
      type: 'source',
      first_name: 'Pat',
      last_name: 'Lead 42',
      email: 'pat42@example.com',
      phone_1: '5125550042',
      address_1: '42 Main St',
      postal_code: '78701',
      trustedform_cert_url: expect.stringMatching(/^https:\/\/cert\.trustedform\.com\//),
      lead_roof_age: 12,
      flow_name: 'Solar leads',
      extra: { flow_pricing: { cost: 1.5 } },
    });
  });

  it('--start-date bounds the first read with start, not an id', async () => {
    const { fake, run } = await setup();
    for (let n = 1; n <= 4; n++) fake.addLead(n, Date.now() - n * 24 * HOUR);
    const day = new Date(Date.now() - 2.5 * 24 * HOUR);
    day.setUTCHours(0, 0, 0, 0);
    const result = await run('leads', { startDate: day });
    expect(result.status).toBe('success');
    const request = fake.api.requests.filter((r) => r.path === '/events').at(0);
    expect(request?.query.get('start')).toMatch(/^\d{4}-\d\d-\d\dT00:00:00Z$/);
    expect(request?.query.get('after_id')).toBeNull();
  });

  for (const endInclusive of [true, false])
    it(`--end-date keeps exactly the events before the day after, whether end includes its instant or not (${endInclusive})`, async () => {
      const { fake, store, run } = await setup({ endInclusive });
      const day = new Date(Date.now() - 3 * 24 * HOUR);
      day.setUTCHours(0, 0, 0, 0);
      const next = day.getTime() + 24 * HOUR;
      const [inside] = fake.addLead(1, next - 1, false);
      const [onEnd] = fake.addLead(2, next, false);
      fake.addLead(3, next + 1000, false);
      const result = await run('events', { endDate: day });
      expect(result.errorMessage).toBeNull();
      expect(result.counts.created).toBe(1);
      const request = fake.api.requests.filter((r) => r.path === '/events').at(0);
      expect(request?.query.get('end')).toBe(new Date(next).toISOString().replace('.000', ''));
      expect(await store.getRecord('leadconduit', 'events', String(inside?.id))).not.toBeNull();
      expect(await store.getRecord('leadconduit', 'events', String(onEnd?.id))).toBeNull();
    });

  it('a wrong key fails as auth without the key in the message', async () => {
    const { fake } = await setup();
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, logger: silentLogger() });
    const key = 'secret-wrong-key-123';
    const result = await engine.runEntity({
      plugin: leadconduitPlugin,
      entity: 'flows',
      config: { LEADCONDUIT_API_KEY: key, LEADCONDUIT_BASE_URL: fake.baseUrl },
      trigger: 'cli',
      options: {},
    });
    expect(result).toMatchObject({ status: 'failed', errorKind: 'auth' });
    expect(result.errorMessage).not.toContain(key);
  });

  it('refuses a rate limit that is not a positive whole number, naming the setting', async () => {
    const { fake, run } = await setup();
    fake.flows.push({ id: objectIdFloor(Date.now()), name: 'x' });
    expect((await run('flows')).status).toBe('success');
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, logger: silentLogger() });
    const result = await engine.runEntity({
      plugin: leadconduitPlugin,
      entity: 'flows',
      config: {
        LEADCONDUIT_API_KEY: API_KEY,
        LEADCONDUIT_BASE_URL: fake.baseUrl,
        LEADCONDUIT_RATE_LIMIT: 0,
      },
      trigger: 'cli',
      options: {},
    });
    expect(result.status).toBe('failed');
    expect(result.errorMessage).toContain('LEADCONDUIT_RATE_LIMIT');
  });
});

describe('leadconduit sync all', () => {
  it('runs flows and destinations before the events and leads that name them', async () => {
    const { fake } = await setup();
    fake.flows.push({ id: objectIdFloor(Date.now()), name: 'Solar leads' });
    fake.addLead(1, Date.now() - HOUR);
    const engine = new SyncEngine({ store: new MemoryStore(), logger: silentLogger() });
    const runs = await engine.runAll({
      plugin: leadconduitPlugin,
      config: { LEADCONDUIT_API_KEY: API_KEY, LEADCONDUIT_BASE_URL: fake.baseUrl },
      trigger: 'cli',
      options: {},
    });
    expect(runs.map((r) => [r.syncType, r.status, r.counts.created])).toEqual([
      ['flows', 'success', 1],
      ['destinations', 'success', 0],
      ['events', 'success', 2],
      ['leads', 'success', 1],
    ]);
  });
});
