import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { FakeRecords } from './records.js';
import { FakeApi } from './server.js';
import { ok, reply } from './types.js';

let api: FakeApi;
afterEach(() => api.close());

describe('FakeApi rate limits', () => {
  it('refuses a key past its rolling window with the vendor 429, other keys unaffected, until time moves on', async () => {
    const clock = new FakeClock();
    clock.set(Date.parse('2026-01-01T00:00:00Z'));
    api = new FakeApi({
      name: 'acme',
      clock,
      rateLimits: [
        {
          name: 'ten-secondly',
          max: 2,
          windowMs: 10_000,
          key: (r) => r.query.get('account') ?? '',
          reject: (_, s) =>
            reply(
              429,
              { error: 'slow down' },
              { 'retry-after': String(s.window.resetInMs(s.now) / 1000) },
            ),
          headers: (_, s) => ({ 'x-remaining': String(s.window.remaining(s.now)) }),
        },
      ],
    });
    api.get('/v1/x', () => ok({}));
    const url = await api.listen();
    const hit = async (account: string) => {
      const res = await fetch(`${url}/v1/x?account=${account}`);
      return [res.status, res.headers.get('x-remaining') ?? res.headers.get('retry-after')];
    };
    expect(await hit('a')).toEqual([200, '1']);
    clock.advance(4_000);
    expect(await hit('a')).toEqual([200, '0']);
    expect(await hit('a')).toEqual([429, '6']);
    expect(await hit('b')).toEqual([200, '1']);
    clock.advance(6_000);
    // The first hit has left the window; the second is still in it.
    expect(await hit('a')).toEqual([200, '0']);
    api.limits.resize('ten-secondly', null);
    expect((await hit('a'))[0]).toBe(200);
  });
});

describe('FakeRecords', () => {
  it('stamps adds and changes on the clock, filters by [since, before) and keeps tombstones', () => {
    const clock = new FakeClock();
    clock.set(1_000);
    api = new FakeApi({ name: 'acme', clock });
    const leads = new FakeRecords<{ id: string; email: string }>(clock);
    leads.add({ id: '2', email: 'b@x' });
    leads.add({ id: '10', email: 'c@x' });
    clock.advance(500);
    leads.add({ id: '1', email: 'a@x' });
    clock.advance(500);
    leads.change('2', { email: 'b2@x' });
    expect(leads.since(1_000).map((l) => l.id)).toEqual(['10', '1', '2']);
    expect(leads.since(1_500, 2_000).map((l) => l.id)).toEqual(['1']);
    expect(leads.get('2')?.email).toBe('b2@x');
    leads.delete('10');
    expect(leads.size).toBe(2);
    expect(leads.deletedSince(2_000)).toEqual([{ id: '10', deletedAt: 2_000 }]);
    expect(() => leads.change('10', {})).toThrow(/no record 10/);
  });
});
