import { afterEach, describe, expect, it } from 'vitest';
import { type FakerServer, startFakerServer } from './server.js';

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

  const readAll = async (path: string, limit: number) => {
    const out: Array<Record<string, unknown>> = [];
    let after: string | undefined;
    for (;;) {
      const sep = path.includes('?') ? '&' : '?';
      const { body } = await get(`${path}${sep}limit=${limit}${after ? `&after=${after}` : ''}`);
      out.push(...(body.results as Array<Record<string, unknown>>));
      after = (body.paging as { next?: { after: string } } | undefined)?.next?.after;
      if (!after) return out;
    }
  };

  it('serves record i the same whatever the page size, and the same for the same seed', async () => {
    server = await startFakerServer({ size: 60, seed: 9, anchor: new Date('2026-01-01') });
    const bySeven = await readAll('/v1/deals', 7);
    const byFifty = await readAll('/v1/deals', 50);
    expect(bySeven).toHaveLength(30);
    expect(bySeven).toEqual(byFifty);
    await server.close();
    server = await startFakerServer({ size: 60, seed: 9, anchor: new Date('2026-01-01') });
    expect(await readAll('/v1/deals', 13)).toEqual(bySeven);
    await server.close();
    server = await startFakerServer({ size: 60, seed: 10, anchor: new Date('2026-01-01') });
    expect(await readAll('/v1/deals', 13)).not.toEqual(bySeven);
  });

  it('links deals and activities to contacts and companies that exist', async () => {
    server = await startFakerServer({
      size: { contacts: 40, companies: 8, deals: 30, activities: 30 },
    });
    for (const deal of await readAll('/v1/deals', 100)) {
      expect(Number(deal.contact_id)).toBeGreaterThanOrEqual(1);
      expect(Number(deal.contact_id)).toBeLessThanOrEqual(40);
      expect(Number(deal.company_id)).toBeLessThanOrEqual(8);
    }
    for (const activity of await readAll('/v1/activities', 100))
      expect(Number(activity.contact_id)).toBeLessThanOrEqual(40);
  });

  it('has a few contacts with neither email nor phone, and realistic values otherwise', async () => {
    server = await startFakerServer({ size: 1000, seed: 5 });
    const contacts = await readAll('/v1/contacts', 1000);
    const unreachable = contacts.filter((c) => c.email === null && c.phone === null);
    expect(unreachable.length).toBeGreaterThan(10);
    expect(unreachable.length).toBeLessThan(80);
    const reachable = contacts.find((c) => c.email !== null);
    expect(reachable?.email).toMatch(/^[^@\s]+@[a-z0-9.-]+\.[a-z]+$/);
    expect(reachable?.phone).toMatch(/^\(\d{3}\) \d{3}-\d{4}$/);
    expect(reachable?.state).toMatch(/^[A-Z]{2}$/);
    expect(reachable?.zip).toMatch(/^\d{5}$/);
  });

  it('bounds a read with updated_before, and filters updated_since inclusively', async () => {
    server = await startFakerServer({ size: 100, anchor: new Date('2026-01-01'), spanDays: 100 });
    const all = await readAll('/v1/contacts', 100);
    const tenth = String(all[9]?.updated_at);
    const before = await readAll(`/v1/contacts?updated_before=${tenth}`, 100);
    expect(before.map((r) => r.id)).toEqual(all.slice(0, 9).map((r) => r.id));
    const since = await readAll(`/v1/contacts?updated_since=${tenth}`, 100);
    expect(since.map((r) => r.id)).toEqual(all.slice(9).map((r) => r.id));
  });

  it('moves an added or re-dated record to where its updated_at sorts', async () => {
    server = await startFakerServer({ size: 20, anchor: new Date('2026-01-01') });
    const [added] = server.addRecords('contacts', 1, new Date('2030-01-01T00:00:00Z'));
    server.setUpdatedAt('contacts', '3', new Date('2020-01-01T00:00:00Z'));
    const all = await readAll('/v1/contacts', 6);
    expect(all).toHaveLength(21);
    expect(all[0]?.id).toBe('3');
    expect(all.at(-1)).toMatchObject({ id: added, updated_at: '2030-01-01T00:00:00.000Z' });
    expect((await get('/v1/contacts?limit=1')).body.total).toBe(21);
  });

  it('serves injected faults, its own rate limit, corrupt records, and logs page sizes', async () => {
    server = await startFakerServer({ size: 30, rateLimitPerSecond: 3 });
    server.injectFault('contacts', { kind: 'rate-limit', retryAfterSeconds: 2 });
    server.injectFault('contacts', { kind: 'server-error', count: 2 });
    const limited = await fetch(`${server.url}/v1/contacts?limit=5`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await get('/v1/contacts?limit=5')).status).toBe(503);
    expect((await get('/v1/contacts?limit=5')).status).toBe(503);
    expect((await get('/v1/contacts?limit=5')).status).toBe(429);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await get('/v1/contacts?limit=4')).status).toBe(200);
    const [bad] = server.corrupt('contacts', 1);
    expect((await get(`/v1/contacts/${bad}`)).body.email).toBe('not-an-email');
    expect(server.requestedPageSizes('contacts')).toEqual([4]);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await get('/v1/contacts?limit=0')).status).toBe(400);
    expect((await get('/v1/contacts?after=bm9wZQ')).status).toBe(400);
  });

  it('adds the latency a client asks for with latency_ms', async () => {
    server = await startFakerServer({ size: 5 });
    const started = performance.now();
    await get('/v1/contacts?limit=5&latency_ms=200');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('serves all of a large dataset through the cursor, every id once', async () => {
    server = await startFakerServer({ size: { contacts: 50_000 }, seed: 1 });
    const ids = (await readAll('/v1/contacts', 1000)).map((r) => Number(r.id));
    expect(ids).toHaveLength(50_000);
    expect(new Set(ids).size).toBe(50_000);
  });
});
