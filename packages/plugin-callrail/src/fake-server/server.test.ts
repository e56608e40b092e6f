import { afterEach, describe, expect, it } from 'vitest';
import { CallRailFakeServer } from './server.js';

const DAY = 86_400_000;
let fake: CallRailFakeServer;

afterEach(async () => {
  await fake?.close();
});

async function get(path: string, key = fake.apiKey) {
  const res = await fetch(`${fake.baseUrl}${path}`, {
    headers: { authorization: `Token token="${key}"` },
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}

describe('CallRail fake server', () => {
  it('refuses a wrong key or scheme the way CallRail does', async () => {
    fake = await CallRailFakeServer.start();
    expect((await get('/a.json', 'nope')).status).toBe(401);
    const bearer = await fetch(`${fake.baseUrl}/a.json`, {
      headers: { authorization: `Bearer ${fake.apiKey}` },
    });
    expect(bearer.status).toBe(401);
    expect(await bearer.json()).toEqual({ error: 'HTTP Token: Access denied.' });
  });

  it('answers only the last 30 days of calls when no date range is sent', async () => {
    fake = await CallRailFakeServer.start({ size: 90 });
    const { body } = await get(`/a/${fake.accountId}/calls.json?per_page=250`);
    const recent = fake.data.calls.filter(
      (c) => Date.parse(String(c.start_time)) >= Date.now() - 30 * DAY,
    );
    expect(body.total_records).toBe(recent.length);
    expect(recent.length).toBeLessThan(90);
  });

  it('refuses a start_date older than the 25-month retention', async () => {
    fake = await CallRailFakeServer.start();
    const old = new Date(Date.now() - 800 * DAY).toISOString();
    const res = await get(`/a/${fake.accountId}/calls.json?start_date=${old}`);
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toMatch(/25 months/);
    expect((await get(`/a/${fake.accountId}/calls.json?date_range=all_time`)).status).toBe(400);
  });

  it('pages by number with total_pages and total_records', async () => {
    fake = await CallRailFakeServer.start({ size: 120 });
    const start = new Date(Date.now() - 100 * DAY).toISOString();
    const p1 = await get(`/a/${fake.accountId}/calls.json?start_date=${start}&per_page=50&page=1`);
    expect(p1.body).toMatchObject({ page: 1, per_page: 50, total_pages: 3, total_records: 120 });
    const p3 = await get(`/a/${fake.accountId}/calls.json?start_date=${start}&per_page=50&page=3`);
    expect((p3.body.calls as unknown[]).length).toBe(20);
  });

  it('pages calls relatively with has_next_page and a full next_page URL', async () => {
    fake = await CallRailFakeServer.start({ size: 25 });
    const start = new Date(Date.now() - 100 * DAY).toISOString();
    let next: string | null =
      `${fake.baseUrl}/a/${fake.accountId}/calls.json?relative_pagination=true&per_page=10&start_date=${start}`;
    const ids: string[] = [];
    while (next) {
      const res = await fetch(next, { headers: { authorization: `Token token="${fake.apiKey}"` } });
      const body = (await res.json()) as {
        calls: Array<{ id: string }>;
        next_page: string | null;
        has_next_page: boolean;
      };
      ids.push(...body.calls.map((c) => c.id));
      expect(body.has_next_page).toBe(body.next_page !== null);
      next = body.next_page;
    }
    expect(new Set(ids).size).toBe(25);
  });

  it('serves text messages as conversations at the hyphenated path', async () => {
    fake = await CallRailFakeServer.start();
    const res = await get(`/a/${fake.accountId}/text-messages.json`);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.conversations)).toBe(true);
    expect((await get(`/a/${fake.accountId}/text_messages.json`)).status).toBe(404);
  });

  it('returns extra call fields only when asked for', async () => {
    fake = await CallRailFakeServer.start();
    const plain = await get(`/a/${fake.accountId}/calls.json?per_page=1`);
    expect((plain.body.calls as Array<Record<string, unknown>>)[0]).not.toHaveProperty(
      'lead_status',
    );
    const asked = await get(`/a/${fake.accountId}/calls.json?per_page=1&fields=lead_status,tags`);
    expect((asked.body.calls as Array<Record<string, unknown>>)[0]).toHaveProperty('lead_status');
  });

  it('answers a bare 429, with no Retry-After, once the hourly limit is spent', async () => {
    fake = await CallRailFakeServer.start({ hourlyLimit: 3 });
    for (let i = 0; i < 3; i++) expect((await get('/a.json')).status).toBe(200);
    const limited = await get('/a.json');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeNull();
    expect(limited.body).toEqual({ error: 'API rate limit exceeded' });
  });

  it('also enforces the daily limit, and adds the configured latency to every answer', async () => {
    fake = await CallRailFakeServer.start({ hourlyLimit: 100, dailyLimit: 2, latencyMs: 40 });
    const started = Date.now();
    expect((await get('/a.json')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect((await get('/a.json')).status).toBe(200);
    expect((await get('/a.json')).status).toBe(429);
  });

  it('answers 404 for another account and 400 for mixing the two paging styles', async () => {
    fake = await CallRailFakeServer.start();
    expect((await get('/a/ACCother/calls.json')).status).toBe(404);
    const mixed = await get(`/a/${fake.accountId}/calls.json?relative_pagination=true&page=2`);
    expect(mixed.status).toBe(400);
    expect(mixed.body.error).toMatch(/page cannot be combined/);
  });
});
