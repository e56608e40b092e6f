import { describe, expect, it } from 'vitest';
import { kitFault, seededChangeTime } from './kit-fixture.js';
import { FakeApi } from './server.js';
import { type FakeRequest, ok } from './types.js';

const request = (path: string): FakeRequest => ({
  method: 'GET',
  url: new URL(`http://127.0.0.1${path}`),
  path,
  query: new URLSearchParams(),
  headers: {},
  params: {},
  body: '',
});

function fake() {
  const api = new FakeApi({ name: 'acme', faultBody: (status) => ({ code: `fault_${status}` }) });
  api.get('/leads', () => ok(['lead']));
  api.get('/users', () => ok(['user']));
  return api;
}

describe('kitFault', () => {
  it('answers `count` server errors with 503 and the vendor body, on matching requests only', async () => {
    const api = fake();
    api.fault(kitFault({ kind: 'server-error', count: 2 }, (r) => r.path === '/leads'));
    expect((await api.dispatch(request('/users'))).status).toBe(200);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await api.dispatch(request('/leads')));
    expect(answers.map((a) => [a.status, a.body])).toEqual([
      [503, { code: 'fault_503' }],
      [503, { code: 'fault_503' }],
      [200, ['lead']],
    ]);
  });

  it('answers one rate limit with 429 and Retry-After in seconds', async () => {
    const api = fake();
    api.fault(kitFault({ kind: 'rate-limit', retryAfterSeconds: 2 }, (r) => r.path === '/leads'));
    const limited = await api.dispatch(request('/leads'));
    expect(limited.status).toBe(429);
    expect(limited.headers).toMatchObject({ 'retry-after': '2' });
    expect((await api.dispatch(request('/leads'))).status).toBe(200);
  });
});

describe('seededChangeTime', () => {
  it('spreads records oldest first over the 90 days before now, the newest at least a day back', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    const day = 86_400_000;
    const times = Array.from({ length: 10 }, (_, i) => seededChangeTime(now, i + 1, 10));
    expect(times[0]).toBe(now - 90 * day);
    expect(times.every((t, i) => i === 0 || t > (times[i - 1] as number))).toBe(true);
    expect(now - (times.at(-1) as number)).toBeGreaterThanOrEqual(day);
  });
});
