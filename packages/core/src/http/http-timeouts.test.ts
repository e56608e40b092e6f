import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { CrmsyncError } from '../contracts/errors.js';
import { startFaultProxy } from '../testing/fault-proxy.js';
import { HttpClient } from './http-client.js';
import { RateLimiter } from './rate-limit.js';

// A full garbage collection on demand: Node 20 collected the timeout signal of a request
// waiting on a stalled CRM, so the timeout never fired (finding 3 of issue 20).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A fake CRM answering `{ page }` on any path. */
async function startCrm(): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ page: req.url, filler: 'x'.repeat(2000) }));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function proxied() {
  const proxy = await startFaultProxy(await startCrm());
  closers.push(() => proxy.close());
  return proxy;
}

/** Collects garbage every 100 ms while `work` runs, as a busy process would. */
async function underGc<T>(work: Promise<T>): Promise<T> {
  const timer = setInterval(gc, 100);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: unknown) => e as CrmsyncError,
  );

describe('HttpClient timeouts', () => {
  it('gives up on stalled headers after timeoutMs, even when garbage is collected meanwhile, and retries', async () => {
    const proxy = await proxied();
    proxy.inject({ fault: { kind: 'stall-headers' } });
    const http = new HttpClient({ crm: 'acme', baseUrl: proxy.url, timeoutMs: 1000, backoffMs: 1 });
    const started = performance.now();
    const res = await underGc(
      http.get<{ page: string }>('/v1/contacts', { signal: new AbortController().signal }),
    );
    expect(res.body.page).toBe('/v1/contacts');
    expect(performance.now() - started).toBeLessThan(8000);
    expect(proxy.injected['stall-headers']).toBe(1);
  }, 15_000);

  it('gives up on a body that stalls half-way, naming the CRM, the path and the wait', async () => {
    const proxy = await proxied();
    proxy.inject({ fault: { kind: 'stall-body' }, times: 2 });
    const http = new HttpClient({
      crm: 'acme',
      baseUrl: proxy.url,
      timeoutMs: 2000,
      retries: 0,
    });
    const started = performance.now();
    const error = await underGc(
      failure(http.get('/v1/deals', { signal: new AbortController().signal })),
    );
    expect(performance.now() - started).toBeLessThan(8000);
    expect(error).toBeInstanceOf(CrmsyncError);
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(
      /^acme: no answer within 2000 ms to GET \/v1\/deals: waited for the whole body/,
    );
    // Retried, the next attempt gets the whole page.
    const retried = new HttpClient({
      crm: 'acme',
      baseUrl: proxy.url,
      timeoutMs: 2000,
      backoffMs: 1,
    });
    expect((await retried.get<{ page: string }>('/v1/deals')).body.page).toBe('/v1/deals');
  }, 15_000);

  it('ends a page whose attempts keep stalling once its total budget is spent', async () => {
    const proxy = await proxied();
    proxy.inject({ fault: { kind: 'stall-headers' }, times: 50 });
    const http = new HttpClient({
      crm: 'acme',
      baseUrl: proxy.url,
      timeoutMs: 250,
      retries: 20,
      backoffMs: 1,
      pageBudgetMs: 700,
    });
    const started = performance.now();
    const error = await underGc(failure(http.get('/v1/slow')));
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(650);
    expect(took).toBeLessThan(5000);
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(
      /^acme: GET \/v1\/slow: no complete answer within the page budget of 700 ms/,
    );
  }, 15_000);

  it('does not count the wait the rate limiter imposes against the page budget', async () => {
    const proxy = await proxied();
    const limiter = new RateLimiter([{ requests: 1, perMs: 900 }]);
    closers.push(() => limiter.stop());
    const http = new HttpClient({
      crm: 'acme',
      baseUrl: proxy.url,
      limiter,
      timeoutMs: 2000,
      pageBudgetMs: 500,
    });
    const started = performance.now();
    // The second page waits ~900 ms for the quota window: longer than its budget.
    await http.get('/v1/a');
    const second = await http.get<{ page: string }>('/v1/b');
    expect(second.body.page).toBe('/v1/b');
    expect(performance.now() - started).toBeGreaterThanOrEqual(800);
  }, 15_000);

  it('still stops at once when the caller cancels, not as a timeout', async () => {
    const proxy = await proxied();
    proxy.inject({ fault: { kind: 'stall-headers' } });
    const http = new HttpClient({ crm: 'acme', baseUrl: proxy.url, timeoutMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by user')), 100);
    const error = await failure(http.get('/v1/x', { signal: controller.signal }));
    expect(error).not.toBeInstanceOf(CrmsyncError);
    expect(String(error)).toContain('cancelled by user');
  }, 15_000);
});
