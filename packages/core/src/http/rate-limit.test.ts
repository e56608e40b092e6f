import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestMetrics } from '../contracts/metrics.js';
import { HttpClient } from './http-client.js';
import { RateLimiter } from './rate-limit.js';

/** Arrival times (ms) of requests at a real local API, per path. */
const arrivals = new Map<string, number[]>();
let base = '';
let close: () => Promise<void>;

beforeAll(async () => {
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    arrivals.set(path, [...(arrivals.get(path) ?? []), performance.now()]);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
});

afterAll(() => close());

/** How many requests arrived within `windowMs` of each other at most, over every window. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && (sorted[j] ?? 0) - (sorted[i] ?? 0) < windowMs - 20) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe('RateLimiter', () => {
  it('holds "3 per 300 ms" over real requests and reports the wait as throttling', async () => {
    const limiter = new RateLimiter([{ requests: 3, perMs: 300 }]);
    const metrics = createRequestMetrics();
    const http = new HttpClient({ crm: 'demo', baseUrl: base, limiter, metrics });
    const started = performance.now();
    await Promise.all(Array.from({ length: 9 }, () => http.get('/spaced')));
    const times = arrivals.get('/spaced') ?? [];
    expect(times).toHaveLength(9);
    expect(performance.now() - started).toBeGreaterThanOrEqual(550);
    expect(busiestWindow(times, 300)).toBeLessThanOrEqual(3);
    expect(metrics.throttled).toBeGreaterThanOrEqual(5);
    expect(metrics.throttledMs).toBeGreaterThan(0);
    await limiter.stop();
  });

  it('applies every limit at once: a general bucket and a stricter search bucket', async () => {
    const general = new RateLimiter([{ requests: 20, perMs: 1000 }]);
    const search = new RateLimiter([
      { requests: 20, perMs: 1000 },
      { requests: 2, perMs: 250 },
    ]);
    const http = new HttpClient({ crm: 'demo', baseUrl: base, limiter: general });
    const started = performance.now();
    await Promise.all([
      ...Array.from({ length: 6 }, () => http.get('/list')),
      ...Array.from({ length: 6 }, () => http.post('/search', {}, { limiter: search })),
    ]);
    const list = arrivals.get('/list') ?? [];
    const searches = arrivals.get('/search') ?? [];
    // Lists go straight through; searches are held to 2 per 250 ms.
    expect(Math.max(...list)).toBeLessThan(Math.max(...searches) - 200);
    expect(busiestWindow(searches, 250)).toBeLessThanOrEqual(2);
    expect(Math.max(...searches) - started).toBeGreaterThanOrEqual(450);
    await Promise.all([general.stop(), search.stop()]);
  });

  it('expresses a daily quota: once it is spent, the next request waits for the refill', async () => {
    const limiter = new RateLimiter([
      { requests: 50, perMs: 1000 },
      { requests: 4, perMs: 86_400_000 },
    ]);
    const http = new HttpClient({ crm: 'demo', baseUrl: base, limiter });
    await Promise.all(Array.from({ length: 4 }, () => http.get('/daily')));
    const fifth = http.get('/daily');
    const outcome = await Promise.race([
      fifth.then(() => 'served'),
      new Promise((r) => setTimeout(() => r('held'), 300)),
    ]);
    expect(outcome).toBe('held');
    expect(arrivals.get('/daily')).toHaveLength(4);
    await limiter.stop();
    await fifth.catch(() => undefined);
  });

  it('is a rolling window: a burst at the end of one period and the start of the next stays under the limit', async () => {
    const limiter = new RateLimiter([{ requests: 4, perMs: 400 }]);
    const starts: number[] = [];
    const run = () => limiter.schedule(async () => starts.push(performance.now()));
    await run();
    await new Promise((r) => setTimeout(r, 300));
    await Promise.all(Array.from({ length: 7 }, run));
    expect(busiestWindow(starts, 400)).toBeLessThanOrEqual(4);
    await limiter.stop();
  });

  it('keeps at most maxConcurrent requests in flight', async () => {
    const limiter = new RateLimiter([{ requests: 100, perMs: 1000, maxConcurrent: 2 }]);
    let inFlight = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        limiter.schedule(async () => {
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setTimeout(r, 30));
          inFlight--;
        }),
      ),
    );
    expect(most).toBe(2);
    await limiter.stop();
  });

  it('gives up waiting as soon as the run is cancelled', async () => {
    const limiter = new RateLimiter([{ requests: 1, perMs: 60_000 }]);
    await limiter.schedule(async () => 'first');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('run cancelled')), 100);
    const started = performance.now();
    await expect(limiter.schedule(async () => 'second', controller.signal)).rejects.toThrow(
      'run cancelled',
    );
    expect(performance.now() - started).toBeLessThan(1000);
    await limiter.stop();
  });

  it('lets waiting requests through in the order they came, and a cancelled one frees its place', async () => {
    const limiter = new RateLimiter([{ requests: 1, perMs: 80, maxConcurrent: 1 }]);
    const order: number[] = [];
    const controller = new AbortController();
    const runs = [0, 1, 2, 3].map((i) =>
      limiter.schedule(async () => order.push(i), i === 2 ? controller.signal : undefined),
    );
    controller.abort(new Error('run cancelled'));
    const outcomes = await Promise.allSettled(runs);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(order).toEqual([0, 1, 3]);
    await limiter.stop();
  });

  it('costs next to nothing per request when no limit binds (a fast API pays it on every page)', async () => {
    const limiter = new RateLimiter([{ requests: 1_000_000, perMs: 1000 }]);
    const started = performance.now();
    for (let i = 0; i < 500; i++) await limiter.schedule(async () => i);
    expect((performance.now() - started) / 500).toBeLessThan(0.5);
    await limiter.stop();
  });

  it('pause() holds every request back (what a 429 Retry-After does)', async () => {
    const limiter = new RateLimiter([{ requests: 100, perMs: 1000 }]);
    const started = performance.now();
    limiter.pause(300);
    const { waitedMs } = await limiter.schedule(async () => 'ok');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(waitedMs).toBeGreaterThanOrEqual(290);
    await limiter.stop();
  });
});
