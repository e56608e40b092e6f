import { createRequestMetrics, MemoryStore, SyncEngine } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MarketSharpClient } from './client.js';
import {
  fakeConfig,
  fakeRow,
  MarketSharpFake,
  startMarketSharpKitFixture,
} from './fake-server/index.js';
import { marketsharpAuthorization, marketsharpSignature } from './hmac.js';
import marketsharpPlugin from './index.js';
import { ValueReader } from './odata.js';
import { entitySet } from './schema.js';

const fakes: MarketSharpFake[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

async function start(options: Parameters<typeof MarketSharpFake.start>[0] = {}) {
  const fake = await MarketSharpFake.start(options);
  fakes.push(fake);
  return fake;
}

function sync(config: Record<string, unknown>, entity: string, options = {}) {
  const store = new MemoryStore();
  const engine = new SyncEngine({ store, heartbeatIntervalMs: 60_000, progressIntervalMs: 0 });
  return {
    store,
    run: engine.runEntity({ plugin: marketsharpPlugin, entity, config, options, trigger: 'cli' }),
  };
}

const activities = entitySet('activities');
const AT = Date.UTC(2025, 6, 1, 15, 30, 0, 250); // 10:30:00.250 in Chicago (CDT)

function seed(fake: MarketSharpFake, count: number, at = (i: number) => AT + i * 60_000) {
  const rows = Array.from({ length: count }, (_, i) => fakeRow(activities, i + 1, at(i)));
  fake.rows.set('Activities', rows);
  return rows;
}

describe('marketsharp HMAC header', () => {
  it('is companyId:userKey:epochSeconds:base64(HMAC-SHA256(base64-decoded secret, company+user+time))', () => {
    const secret = Buffer.from('0123456789abcdef').toString('base64');
    // Worked by hand with openssl:
    // printf '42userkey1700000000' | openssl dgst -sha256 -hmac 0123456789abcdef -binary | base64
    expect(marketsharpSignature('42', 'userkey', secret, 1_700_000_000)).toBe(
      'nFDGsSlfXFxlASwSWzgzm2lxUYHIFXCY2IIvibVDH0s=',
    );
    expect(marketsharpAuthorization('42', 'userkey', secret, 1_700_000_000)).toBe(
      '42:userkey:1700000000:nFDGsSlfXFxlASwSWzgzm2lxUYHIFXCY2IIvibVDH0s=',
    );
  });

  it('the fake refuses a wrong signature, another user key and a stale time with 401', async () => {
    const fake = await start();
    seed(fake, 3);
    const url = `${fake.baseUrl}/Activities`;
    const now = Math.floor(Date.now() / 1000);
    const good = marketsharpAuthorization(fake.companyId, fake.userKey, fake.secretKey, now);
    const cases = [
      marketsharpAuthorization(
        fake.companyId,
        fake.userKey,
        Buffer.from('other').toString('base64'),
        now,
      ),
      marketsharpAuthorization(fake.companyId, 'other-user', fake.secretKey, now),
      marketsharpAuthorization(fake.companyId, fake.userKey, fake.secretKey, now - 3600),
      `Bearer ${fake.userKey}`,
    ];
    for (const authorization of cases) {
      const res = await fetch(url, {
        headers: { authorization, accept: 'application/json;odata=verbose' },
      });
      expect(res.status, authorization.slice(0, 30)).toBe(401);
      expect(
        ((await res.json()) as { error: { message: { value: string } } }).error.message.value,
      ).toMatch(/signature/);
    }
    const res = await fetch(url, {
      headers: { authorization: good, accept: 'application/json;odata=verbose' },
    });
    expect(res.status).toBe(200);
  });

  it('a sync signs every request anew and a wrong secret fails as auth without leaking it', async () => {
    const fake = await start({ serverPageSize: 4 });
    seed(fake, 10);
    const { run, store } = sync(fakeConfig(fake), 'activities', { batchSize: 4 });
    const result = await run;
    expect(result.errorMessage).toBeNull();
    expect(await store.countRecords('marketsharp', 'activities')).toBe(10);
    expect(fake.signatures.length).toBe(result.performanceMetrics?.apiCalls);
    expect(fake.signatures.every((s) => s.startsWith(`${fake.companyId}:${fake.userKey}:`))).toBe(
      true,
    );
    const bad = Buffer.from('a different secret').toString('base64');
    const failed = await sync({ ...fakeConfig(fake), MARKETSHARP_SECRET_KEY: bad }, 'activities')
      .run;
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'auth' });
    expect(failed.errorMessage).not.toContain(bad);
    expect(failed.errorMessage).not.toContain(fake.userKey);
  });
});

describe('marketsharp payloads', () => {
  for (const mode of ['json', 'atom-asked', 'atom-anyway'] as const) {
    it(`reads ${mode}: typed values, naive times in the server zone, nulls, the server's next links`, async () => {
      const fake = await start({ serverPageSize: 3, atomOnly: mode === 'atom-anyway' });
      const rows = seed(fake, 8);
      (rows[0] as Record<string, unknown>).notes = null;
      const config = fakeConfig(fake, mode === 'atom-asked' ? { MARKETSHARP_FORMAT: 'atom' } : {});
      const { run, store } = sync(config, 'activities', { batchSize: 5 });
      const result = await run;
      expect(result.errorMessage).toBeNull();
      expect(result.counts.processed).toBe(8);
      const first = await store.getRecord('marketsharp', 'activities', String(rows[0]?.id));
      expect(first?.data).toMatchObject({
        id: rows[0]?.id,
        notes: null,
        reminderMinutes: 7,
        isActive: true,
        lastUpdate: new Date(AT).toISOString(),
        name: 'name 1 <&>',
      });
      // $top 5 served in pieces of 3: the first window is 3 + a next link for 2, the second
      // the last 3 rows (a short window: the end).
      expect(fake.pageSizes('Activities')).toEqual([5, 5]);
      const links = fake.api.requests.filter((r) => r.query.has('$skiptoken'));
      expect(links.map((r) => [r.query.get('$skiptoken'), r.query.get('$top')])).toEqual([
        ['3', '2'],
      ]);
    });
  }

  it('streams: a record is handed over before the answer has ended', async () => {
    const spec = entitySet('activities');
    const reader = new ValueReader(spec, 'UTC');
    const { readJsonVerbose } = await import('./odata.js');
    const seen: number[] = [];
    async function* body() {
      yield new TextEncoder().encode('{"d":{"results":[{"id":"a","reminderMinutes":1},');
      seen.push(1);
      yield new TextEncoder().encode(
        '{"id":"b","lastUpdate":"\\/Date(1700000000000)\\/"}],"__next":"http://x/next"}}',
      );
    }
    const page = await readJsonVerbose(body(), reader);
    expect(page.records).toEqual([
      { id: 'a', reminderMinutes: 1 },
      { id: 'b', lastUpdate: new Date(1_700_000_000_000).toISOString() },
    ]);
    expect(page.next).toBe('http://x/next');
    expect(seen).toEqual([1]);
  });
});

describe('marketsharp deltas and errors', () => {
  it("filters lastUpdate ge/lt datetime'…' in the server's zone, ordered by lastUpdate", async () => {
    const fake = await start({ timeZone: 'America/New_York' });
    // From 2025-06-30 15:30:00.250 UTC, three hours apart: the 4th on is on or after 1 July.
    seed(fake, 10, (i) => AT - 86_400_000 + i * 3 * 3_600_000);
    const config = fakeConfig(fake);
    const startDate = new Date(Date.UTC(2025, 6, 1));
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, heartbeatIntervalMs: 60_000, progressIntervalMs: 0 });
    const run = await engine.runEntity({
      plugin: marketsharpPlugin,
      entity: 'activities',
      config,
      options: { startDate },
      trigger: 'cli',
    });
    expect(run.errorMessage).toBeNull();
    const asked = fake.api.requests.at(-1)?.query;
    // Midnight UTC on 1 July is 20:00 the evening before in New York (EDT).
    expect(asked?.get('$filter')).toBe("lastUpdate ge datetime'2025-06-30T20:00:00.000'");
    expect(asked?.get('$orderby')).toBe('lastUpdate asc,id asc');
    expect(run.counts.processed).toBe(7);
  });

  it('retries the sporadic 503, 400 and 404 the seeds met, and fails a steady 400 as data', async () => {
    const fake = await start({ sporadic: { every: 2, statuses: [503, 400, 404] } });
    seed(fake, 12);
    const { run, store } = sync(fakeConfig(fake), 'activities', { batchSize: 3 });
    const result = await run;
    expect(result.errorMessage).toBeNull();
    expect(await store.countRecords('marketsharp', 'activities')).toBe(12);
    expect(result.performanceMetrics?.retries).toBeGreaterThanOrEqual(4);
    const statuses = new Set(fake.api.requests.map((r) => r.status));
    expect([...statuses].sort()).toEqual([200, 400, 404, 503]);

    const client = new MarketSharpClient({
      baseUrl: fake.baseUrl,
      companyId: fake.companyId,
      userKey: fake.userKey,
      secretKey: fake.secretKey,
      format: 'json',
      metrics: createRequestMetrics(),
      retryWaitMs: 1,
    });
    fake.sporadic = undefined;
    const bad = client.url('Activities', { $filter: "name eq 'x'" });
    await expect(
      client.page(bad, new ValueReader(activities, 'UTC'), new AbortController().signal),
    ).rejects.toMatchObject({
      kind: 'data',
      message: expect.stringContaining('Error in query syntax'),
    });
    await client.close();
  });

  it('refuses a bad format or time zone naming the setting', async () => {
    const fake = await start();
    const zone = await sync(
      { ...fakeConfig(fake), MARKETSHARP_TIMEZONE: 'Mars/Olympus' },
      'activities',
    ).run;
    expect(zone.errorMessage).toMatch(/MARKETSHARP_TIMEZONE.*IANA/);
    const format = await sync({ ...fakeConfig(fake), MARKETSHARP_FORMAT: 'csv' }, 'activities').run;
    expect(format.errorMessage).toMatch(/MARKETSHARP_FORMAT/);
  });

  it('the kit fixture serves Atom as well (the kit itself runs JSON)', async () => {
    const f = await startMarketSharpKitFixture('contacts', 7, { format: 'atom' });
    try {
      const { run } = sync(f.config, 'contacts');
      expect((await run).counts.processed).toBe(7);
    } finally {
      await f.close();
    }
  });
});

describe('marketsharp JSON scanner', () => {
  it('cuts the same records however the text is split, strings with braces and escapes included', async () => {
    const { readJsonVerbose } = await import('./odata.js');
    const reader = new ValueReader(entitySet('activities'), 'UTC');
    const records = [
      {
        __metadata: { uri: "x('{')", type: 'T' },
        id: 'a"}]',
        notes: 'br{ace} [x] \\" \u00e9 ✓',
        reminderMinutes: 3,
      },
      { id: 'b', notes: null, isActive: false },
      { id: 'c', name: '{"results":[1]}' },
    ];
    for (const text of [
      JSON.stringify({ d: { results: records, __next: 'http://n/Activities?$skiptoken=3' } }),
      JSON.stringify({ d: records }),
      ` { "d" : { "__count": "3", "results" : [ ${records.map((r) => JSON.stringify(r)).join(' ,\n ')} ] } } `,
    ]) {
      for (let cut = 0; cut <= text.length; cut += 7) {
        async function* chunks() {
          yield text.slice(0, cut);
          yield text.slice(cut, cut + 3);
          yield text.slice(cut + 3);
        }
        const page = await readJsonVerbose(chunks(), reader);
        expect(
          page.records.map((r) => r.id),
          `split at ${cut}`,
        ).toEqual(['a"}]', 'b', 'c']);
        expect(page.records[0]?.notes).toBe(records[0]?.notes);
        expect(page.next).toBe(
          text.includes('skiptoken') ? 'http://n/Activities?$skiptoken=3' : undefined,
        );
      }
    }
  });

  it('refuses an answer cut short', async () => {
    const { readJsonVerbose } = await import('./odata.js');
    const reader = new ValueReader(entitySet('activities'), 'UTC');
    await expect(readJsonVerbose(['{"d":{"results":[{"id":"a"},{"id":'], reader)).rejects.toThrow(
      SyntaxError,
    );
  });
});
