import { describePluginKit, MemoryStore } from '@crmsync/core/testing';
import { SyncEngine } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakerServer, startFakerServer } from './fake-server/server.js';
import { fakerPlugin } from './index.js';

describePluginKit({
  plugin: fakerPlugin,
  entity: 'contacts',
  async setup({ size }) {
    const server = await startFakerServer({ size: { contacts: size }, seed: 7 });
    return {
      config: {
        baseUrl: server.url,
        token: server.token,
        size,
        seed: 7,
        changesPerMinute: 0,
        requestsPerSecond: 1000,
      },
      mutate: async (n) => server.mutate('contacts', n),
      addRecords: async (n, at) => server.addRecords('contacts', n, at),
      corrupt: async (n) => server.corrupt('contacts', n),
      injectFault: (f) => server.injectFault('contacts', f),
      requestedPageSizes: () => server.requestedPageSizes('contacts'),
      setUpdatedAt: async (id, at) => server.setUpdatedAt('contacts', id, at),
      close: () => server.close(),
    };
  },
});

describe('the faker API', () => {
  let server: FakerServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  const get = async (path: string, token = server?.token) => {
    const res = await fetch(`${server?.url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('refuses a wrong token with 401', async () => {
    server = await startFakerServer({ size: 10 });
    expect((await get('/v1/contacts', 'nope')).status).toBe(401);
  });

  it('pages by cursor in (updated_at, id) order with a total, and the same record every time', async () => {
    server = await startFakerServer({ size: 25, seed: 3 });
    const seen: Array<Record<string, unknown>> = [];
    let after: string | undefined;
    for (;;) {
      const { body } = await get(`/v1/contacts?limit=10${after ? `&after=${after}` : ''}`);
      expect(body.total).toBe(25);
      seen.push(...(body.results as Array<Record<string, unknown>>));
      after = (body.paging as { next?: { after: string } } | undefined)?.next?.after;
      if (!after) break;
    }
    expect(seen.map((r) => r.id)).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
    const times = seen.map((r) => Date.parse(String(r.updated_at)));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const again = await get('/v1/contacts/7');
    expect(again.body).toEqual(seen[6]);
  });

  it('filters on updated_since and finds exactly the mutated records', async () => {
    server = await startFakerServer({ size: 200 });
    const cutoff = new Date(Date.now() - 1000).toISOString();
    const ids = server.mutate('contacts', 4);
    const { body } = await get(`/v1/contacts?limit=100&updated_since=${cutoff}`);
    expect((body.results as Array<{ id: string }>).map((r) => r.id).sort()).toEqual(
      [...ids].sort(),
    );
    expect(body.total).toBe(4);
  });

  it('keeps changing by itself when asked to, for live demos', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    server = await startFakerServer({
      size: 100,
      changesPerMinute: 10,
      anchor: new Date('2026-01-01T00:00:00Z'),
      now: () => now,
    });
    const since = new Date(now).toISOString();
    now += 60_000;
    const { body } = await get(`/v1/contacts?limit=100&updated_since=${since}`);
    expect((body.results as unknown[]).length).toBeGreaterThanOrEqual(9);
    expect((body.results as unknown[]).length).toBeLessThanOrEqual(11);
  });

  it('runs every entity in dependency order through the engine with the embedded API', async () => {
    const store = new MemoryStore();
    const engine = new SyncEngine({ store });
    const runs = await engine.runAll({
      plugin: fakerPlugin,
      config: { size: 50, seed: 1, changesPerMinute: 0, requestsPerSecond: 1000 },
    });
    expect(runs.map((r) => r.syncType)).toEqual(['contacts', 'companies', 'deals', 'activities']);
    expect(runs.every((r) => r.status === 'success')).toBe(true);
    expect(await store.countRecords('faker', 'contacts')).toBe(50);
    expect(await store.countRecords('faker', 'companies')).toBe(10);
  });
});
