import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CrmsyncError } from '../contracts/errors.js';
import type { Logger } from '../contracts/logger.js';
import { createRequestMetrics } from '../contracts/metrics.js';
import { bearerAuth, headerAuth, oauthRefreshAuth } from './auth.js';
import { HttpClient } from './http-client.js';
import { parseRetryAfter } from './http-errors.js';
import { RateLimiter } from './rate-limit.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface LocalApi {
  url: string;
  /** Every request the API received: method, path with query, headers, arrival (ms). */
  seen: Array<{ method: string; path: string; headers: IncomingMessage['headers']; at: number }>;
  close(): Promise<void>;
}

const servers: LocalApi[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A real HTTP API on 127.0.0.1 (random port) answering with `handler`. */
async function startApi(handler: Handler): Promise<LocalApi> {
  const seen: LocalApi['seen'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      seen.push({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        at: performance.now(),
      });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const api: LocalApi = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  servers.push(api);
  return api;
}

const send = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

async function failure(promise: Promise<unknown>): Promise<CrmsyncError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CrmsyncError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('HttpClient', () => {
  it('sends the bearer token, default headers and query, and parses JSON', async () => {
    const api = await startApi((_req, res) => send(res, 200, { ok: 1 }));
    const http = new HttpClient({
      crm: 'demo',
      baseUrl: `${api.url}/v3/`,
      auth: bearerAuth('tok-123456'),
      headers: { 'x-app': 'crmsync' },
    });
    const res = await http.get<{ ok: number }>('/objects', {
      query: { limit: 10, after: undefined, archived: false },
    });
    expect(res.body).toEqual({ ok: 1 });
    expect(api.seen[0]?.path).toBe('/v3/objects?limit=10&archived=false');
    expect(api.seen[0]?.headers.authorization).toBe('Bearer tok-123456');
    expect(api.seen[0]?.headers['x-app']).toBe('crmsync');
  });

  it('sends a vendor\'s own scheme, such as CallRail\'s Token token="…"', async () => {
    const api = await startApi((_req, res) => send(res, 200, {}));
    const key = 'cr-key-abcdef';
    const http = new HttpClient({
      crm: 'callrail',
      baseUrl: api.url,
      auth: headerAuth('authorization', `Token token="${key}"`, key),
    });
    await http.post('/calls', { a: 1 });
    expect(api.seen[0]?.headers.authorization).toBe(`Token token="${key}"`);
    expect(api.seen[0]?.headers['content-type']).toBe('application/json');
    expect(api.seen[0]?.method).toBe('POST');
  });

  it('maps 401 and 403 to auth, 404 to data with the vendor message, and never retries them', async () => {
    const api = await startApi((req, res) => {
      const status = Number(req.url?.slice(1));
      send(res, status, { message: `vendor says ${status}` });
    });
    const metrics = createRequestMetrics();
    const http = new HttpClient({ crm: 'demo', baseUrl: api.url, metrics, backoffMs: 1 });
    const e401 = await failure(http.get('/401'));
    expect(e401.kind).toBe('auth');
    expect(e401.context.status).toBe(401);
    expect((await failure(http.get('/403'))).kind).toBe('auth');
    const e404 = await failure(http.get('/404'));
    expect(e404.kind).toBe('data');
    expect(e404.message).toContain('vendor says 404');
    expect(e404.message).toContain('demo');
    expect(metrics.apiCalls).toBe(3);
    expect(metrics.retries).toBe(0);
  });

  it("keeps the vendor's error code, and calls a refused request what the plugin says it is", async () => {
    const api = await startApi((_req, res) =>
      send(res, 400, { error: { message: 'Unable to parse range', status: 'INVALID_ARGUMENT' } }),
    );
    const http = new HttpClient({
      crm: 'demo',
      baseUrl: api.url,
      errorCode: (body) => (body as { error?: { status?: string } }).error?.status,
      refusedKind: 'config',
    });
    const error = await failure(http.get('/x'));
    expect(error).toMatchObject({
      kind: 'config',
      context: { crm: 'demo', status: 400, code: 'INVALID_ARGUMENT' },
    });
    expect(error.message).toContain('Unable to parse range');
    expect(api.seen).toHaveLength(1);
  });

  it('retries a burst of 5xx with backoff and succeeds', async () => {
    let calls = 0;
    const api = await startApi((_req, res) =>
      ++calls <= 3 ? send(res, 503, { message: 'busy' }) : send(res, 200, { ok: true }),
    );
    const metrics = createRequestMetrics();
    const http = new HttpClient({ crm: 'demo', baseUrl: api.url, metrics, backoffMs: 5 });
    expect((await http.get('/x')).body).toEqual({ ok: true });
    expect(metrics.apiCalls).toBe(4);
    expect(metrics.retries).toBe(3);
  });

  it('gives up after the configured attempts with a transient error', async () => {
    const api = await startApi((_req, res) => send(res, 500, { error: 'boom' }));
    const metrics = createRequestMetrics();
    const http = new HttpClient({
      crm: 'demo',
      baseUrl: api.url,
      metrics,
      retries: 2,
      backoffMs: 1,
    });
    const error = await failure(http.get('/x'));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('HTTP 500');
    expect(api.seen).toHaveLength(3);
    expect(metrics.retries).toBe(2);
  });

  it('waits out a 429 Retry-After before the next attempt and counts the throttle', async () => {
    let calls = 0;
    const api = await startApi((_req, res) =>
      ++calls === 1
        ? send(res, 429, { message: 'slow down' }, { 'retry-after': '1' })
        : send(res, 200, { ok: true }),
    );
    const metrics = createRequestMetrics();
    const limiter = new RateLimiter([{ requests: 100, perMs: 1000 }]);
    const http = new HttpClient({ crm: 'demo', baseUrl: api.url, metrics, limiter, backoffMs: 1 });
    await http.get('/x');
    const [first, second] = api.seen;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(metrics.throttled).toBeGreaterThanOrEqual(1);
    expect(metrics.throttledMs).toBeGreaterThanOrEqual(1000);
    expect(metrics.retries).toBe(1);
    await limiter.stop();
  });

  it('waits out a Retry-After without a limiter too', async () => {
    let calls = 0;
    const api = await startApi((_req, res) =>
      ++calls === 1 ? send(res, 429, {}, { 'retry-after': '0.4' }) : send(res, 200, { ok: true }),
    );
    const http = new HttpClient({ crm: 'demo', baseUrl: api.url, backoffMs: 1 });
    await http.get('/x');
    expect((api.seen[1]?.at ?? 0) - (api.seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(380);
  });

  it('backs off on 429s without Retry-After by rateLimitBackoffMs, doubling each time', async () => {
    let calls = 0;
    const api = await startApi((_req, res) =>
      ++calls <= 3 ? send(res, 429, { message: 'quota' }) : send(res, 200, { ok: true }),
    );
    const metrics = createRequestMetrics();
    const http = new HttpClient({
      crm: 'demo',
      baseUrl: api.url,
      backoffMs: 1,
      rateLimitBackoffMs: 100,
      metrics,
    });
    await http.get('/x');
    const gaps = api.seen.slice(1).map((s, i) => s.at - (api.seen[i]?.at ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(395);
    expect(metrics.throttledMs).toBeGreaterThanOrEqual(700);
  });

  it('backs off on a 429 without Retry-After by rateLimitBackoffMs, and reports retryAfterMs when out of attempts', async () => {
    const api = await startApi((req, res) =>
      req.url === '/dated'
        ? send(res, 429, {}, { 'retry-after': new Date(Date.now() + 5000).toUTCString() })
        : send(res, 429, { message: 'quota' }),
    );
    const http = new HttpClient({
      crm: 'demo',
      baseUrl: api.url,
      retries: 1,
      backoffMs: 1,
      rateLimitBackoffMs: 300,
    });
    const started = performance.now();
    const error = await failure(http.get('/plain'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(error.kind).toBe('rate_limit');
    expect(error.context.retryAfterMs).toBeUndefined();
    const none = new HttpClient({ crm: 'demo', baseUrl: api.url, retries: 0 });
    const quick = performance.now();
    const dated = await failure(none.get('/dated'));
    // Out of attempts: the error says how long to wait instead of waiting for nothing.
    expect(performance.now() - quick).toBeLessThan(1000);
    expect(dated.kind).toBe('rate_limit');
    expect(dated.context.retryAfterMs).toBeGreaterThan(3000);
    expect(dated.context.retryAfterMs).toBeLessThanOrEqual(5000);
  });

  it("lets a plugin read the wait out of a vendor's own 429 header", async () => {
    let calls = 0;
    const api = await startApi((_req, res) =>
      ++calls === 1
        ? send(res, 429, { policy: 'SECONDLY' }, { 'x-ratelimit-reset-ms': '300' })
        : send(res, 200, { ok: true }),
    );
    const http = new HttpClient({
      crm: 'demo',
      baseUrl: api.url,
      backoffMs: 1,
      rateLimitBackoffMs: 5000,
      onRateLimit: ({ headers }) => Number(headers.get('x-ratelimit-reset-ms')) || undefined,
    });
    const started = performance.now();
    await http.get('/x');
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2000);
  });

  it('fails at once on a Retry-After longer than maxRetryAfterMs, saying how long to wait', async () => {
    const api = await startApi((_req, res) =>
      send(res, 429, { message: 'daily quota spent' }, { 'retry-after': '3600' }),
    );
    const http = new HttpClient({ crm: 'demo', baseUrl: api.url, maxRetryAfterMs: 60_000 });
    const started = performance.now();
    const error = await failure(http.get('/x'));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.kind).toBe('rate_limit');
    expect(error.context.retryAfterMs).toBe(3_600_000);
    expect(api.seen).toHaveLength(1);
  });

  it('stops waiting out a Retry-After when the run is cancelled', async () => {
    const api = await startApi((_req, res) => send(res, 429, {}, { 'retry-after': '30' }));
    const http = new HttpClient({ crm: 'demo', baseUrl: api.url });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by user')), 200);
    const started = performance.now();
    await expect(http.get('/x', { signal: controller.signal })).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(api.seen).toHaveLength(1);
  });

  it('times out a slow answer as transient, and retries it', async () => {
    let calls = 0;
    const api = await startApi((_req, res) => {
      if (++calls === 1) setTimeout(() => send(res, 200, { late: true }), 600);
      else send(res, 200, { ok: true });
    });
    const metrics = createRequestMetrics();
    const http = new HttpClient({
      crm: 'demo',
      baseUrl: api.url,
      timeoutMs: 150,
      backoffMs: 1,
      metrics,
    });
    expect((await http.get('/x')).body).toEqual({ ok: true });
    expect(metrics.retries).toBe(1);
    const once = new HttpClient({ crm: 'demo', baseUrl: api.url, timeoutMs: 100, retries: 0 });
    calls = 0;
    const error = await failure(once.get('/x'));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('no answer within 100 ms');
  });

  it('stops at once, without retrying, when the run is cancelled', async () => {
    const api = await startApi((_req, res) => setTimeout(() => send(res, 200, {}), 2000));
    const http = new HttpClient({ crm: 'demo', baseUrl: api.url, backoffMs: 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by user')), 100);
    const started = performance.now();
    await expect(http.get('/x', { signal: controller.signal })).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1500);
    expect(api.seen).toHaveLength(1);
  });

  it('treats a connection reset as transient and retries it', async () => {
    let calls = 0;
    const api = await startApi((req, res) => {
      if (++calls === 1) req.socket.destroy();
      else send(res, 200, { ok: true });
    });
    const http = new HttpClient({ crm: 'demo', baseUrl: api.url, backoffMs: 1 });
    expect((await http.get('/x')).body).toEqual({ ok: true });
    const once = new HttpClient({ crm: 'demo', baseUrl: api.url, retries: 0 });
    calls = 0;
    const error = await failure(once.get('/x'));
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('network error');
  });

  it('never puts the secret in an error, even when the vendor echoes it', async () => {
    const token = 'sk-live-5ecret-value';
    const api = await startApi((req, res) =>
      send(res, 400, { message: `bad request ${req.url} with ${req.headers.authorization}` }),
    );
    const http = new HttpClient({ crm: 'demo', baseUrl: api.url, auth: bearerAuth(token) });
    const error = await failure(http.get('/x', { query: { api_key: token } }));
    expect(error.kind).toBe('data');
    expect(error.message).toContain('bad request');
    expect(error.message).not.toContain(token);
    expect(JSON.stringify(error.context)).not.toContain(token);
    expect(error.message).toContain('***');
    await api.close();
    const gone = new HttpClient({
      crm: 'demo',
      baseUrl: api.url,
      auth: bearerAuth(token),
      retries: 0,
    });
    const network = await failure(gone.get('/x', { query: { api_key: token } }));
    expect(network.kind).toBe('transient');
    expect(network.message).not.toContain(token);
  });

  it('warns on every retry with what failed and the wait, never with the secret', async () => {
    const token = 'sk-live-5ecret-value';
    let calls = 0;
    const api = await startApi((req, res) =>
      ++calls === 1
        ? send(res, 503, { message: `busy, ${req.headers.authorization}` })
        : calls === 2
          ? send(res, 429, { message: 'quota' })
          : send(res, 200, { ok: true }),
    );
    const warnings: Array<{ message: string; details?: Record<string, unknown> }> = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn: (message, details) => warnings.push({ message, ...(details && { details }) }),
      error() {},
      child: () => logger,
    };
    const http = new HttpClient({
      crm: 'demo',
      baseUrl: api.url,
      auth: bearerAuth(token),
      backoffMs: 1,
      rateLimitBackoffMs: 20,
      logger,
    });
    await http.get('/x');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.message).toMatch(/HTTP 503.*busy.*; retrying$/);
    expect(warnings[0]?.details).toMatchObject({ attempt: 2 });
    expect(warnings[1]?.message).toMatch(/HTTP 429.*; retrying in 40 ms$/);
    expect(warnings[1]?.details).toMatchObject({ attempt: 3 });
    expect(JSON.stringify(warnings)).not.toContain(token);
  });

  it('sends credentials only to the base URL origin, not to another host a next link names', async () => {
    const cdn = await startApi((_req, res) => send(res, 200, { page: 2 }));
    const api = await startApi((_req, res) => send(res, 200, { next: `${cdn.url}/page2` }));
    const http = new HttpClient({ crm: 'demo', baseUrl: api.url, auth: bearerAuth('tok-abcdef') });
    const first = await http.get<{ next: string }>('/page1');
    await http.get(first.body.next);
    expect(api.seen[0]?.headers.authorization).toBe('Bearer tok-abcdef');
    expect(cdn.seen[0]?.headers.authorization).toBeUndefined();
  });

  it('reports a body that is not valid JSON as transient', async () => {
    const api = await startApi((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"half":');
    });
    const http = new HttpClient({ crm: 'demo', baseUrl: api.url, retries: 0 });
    expect((await failure(http.get('/x'))).message).toContain('not valid JSON');
  });
});

describe('OAuth refresh-token auth', () => {
  function oauthApi(options: { expiresIn: number }) {
    let issued = 0;
    let valid = '';
    const grants: string[] = [];
    return {
      grants,
      issued: () => issued,
      revoke: () => {
        valid = 'revoked';
      },
      handler: ((req, res, body) => {
        if (req.url === '/oauth/token') {
          const form = new URLSearchParams(body);
          grants.push(`${form.get('grant_type')}:${form.get('refresh_token')}`);
          if (form.get('client_secret') !== 'client-5ecret')
            return send(res, 400, { error: 'invalid_client' });
          valid = `access-${++issued}`;
          return send(res, 200, {
            access_token: valid,
            expires_in: options.expiresIn,
            refresh_token: `refresh-${issued}`,
          });
        }
        if (req.headers.authorization !== `Bearer ${valid}`)
          return send(res, 401, { message: 'expired token' });
        send(res, 200, { token: valid });
      }) satisfies Handler,
    };
  }

  it('gets a token, reuses it, and refreshes once after a 401', async () => {
    const oauth = oauthApi({ expiresIn: 3600 });
    const api = await startApi(oauth.handler);
    const http = new HttpClient({
      crm: 'demo',
      baseUrl: api.url,
      auth: oauthRefreshAuth({
        tokenUrl: `${api.url}/oauth/token`,
        clientId: 'id',
        clientSecret: 'client-5ecret',
        refreshToken: 'refresh-0',
      }),
    });
    expect((await http.get('/a')).body).toEqual({ token: 'access-1' });
    expect((await http.get('/a')).body).toEqual({ token: 'access-1' });
    expect(oauth.issued()).toBe(1);
    oauth.revoke();
    expect((await http.get('/a')).body).toEqual({ token: 'access-2' });
    // The rotated refresh token is the one used next.
    expect(oauth.grants).toEqual(['refresh_token:refresh-0', 'refresh_token:refresh-1']);
  });

  it('refreshes once when several requests are refused at the same time', async () => {
    const oauth = oauthApi({ expiresIn: 3600 });
    const api = await startApi((req, res, body) =>
      req.url === '/slow'
        ? setTimeout(() => oauth.handler(req, res, body), 50)
        : oauth.handler(req, res, body),
    );
    const http = new HttpClient({
      crm: 'demo',
      baseUrl: api.url,
      auth: oauthRefreshAuth({
        tokenUrl: `${api.url}/oauth/token`,
        clientId: 'id',
        clientSecret: 'client-5ecret',
        refreshToken: 'refresh-0',
      }),
    });
    await http.get('/a');
    oauth.revoke();
    const answers = await Promise.all([http.get('/a'), http.get('/slow'), http.get('/a')]);
    expect(answers.map((a) => a.body)).toEqual([
      { token: 'access-2' },
      { token: 'access-2' },
      { token: 'access-2' },
    ]);
    expect(oauth.issued()).toBe(2);
  });

  it('refreshes before the token expires, without waiting for a 401', async () => {
    const oauth = oauthApi({ expiresIn: 61 });
    const api = await startApi(oauth.handler);
    const http = new HttpClient({
      crm: 'demo',
      baseUrl: api.url,
      auth: oauthRefreshAuth({
        tokenUrl: `${api.url}/oauth/token`,
        clientId: 'id',
        clientSecret: 'client-5ecret',
        refreshToken: 'r',
        skewMs: 60_500,
      }),
    });
    await http.get('/a');
    await new Promise((r) => setTimeout(r, 600));
    await http.get('/a');
    expect(oauth.issued()).toBe(2);
    expect(api.seen.filter((s) => s.path === '/a')).toHaveLength(2);
  });

  it('fails as auth, once, when the API keeps refusing the fresh token, without leaking secrets', async () => {
    const api = await startApi((req, res) =>
      req.url === '/oauth/token'
        ? send(res, 200, { access_token: 'access-x', expires_in: 3600 })
        : send(res, 401, { message: 'no' }),
    );
    const http = new HttpClient({
      crm: 'demo',
      baseUrl: api.url,
      auth: oauthRefreshAuth({
        tokenUrl: `${api.url}/oauth/token`,
        clientId: 'id',
        clientSecret: 'client-5ecret',
        refreshToken: 'refresh-5ecret',
      }),
    });
    const error = await failure(http.get('/a'));
    expect(error.kind).toBe('auth');
    expect(api.seen.filter((s) => s.path === '/a')).toHaveLength(2);
    expect(api.seen.filter((s) => s.path === '/oauth/token')).toHaveLength(2);
    const refused = new HttpClient({
      crm: 'demo',
      baseUrl: api.url,
      auth: oauthRefreshAuth({
        tokenUrl: `${api.url}/missing`,
        clientId: 'id',
        clientSecret: 'client-5ecret',
        refreshToken: 'refresh-5ecret',
      }),
    });
    const tokenError = await failure(refused.get('/a'));
    expect(tokenError.kind).toBe('auth');
    expect(tokenError.message).not.toMatch(/5ecret/);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores garbage', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const inTen = parseRetryAfter(new Date(Date.now() + 10_000).toUTCString()) ?? 0;
    expect(inTen).toBeGreaterThan(8000);
    expect(inTen).toBeLessThanOrEqual(10_000);
    expect(parseRetryAfter(new Date(Date.now() - 10_000).toUTCString())).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('HttpClient transport', () => {
  it('asks for compressed answers and reads gzip, deflate and brotli bodies', async () => {
    const { brotliCompressSync, deflateSync, gzipSync } = await import('node:zlib');
    const payload = { results: Array.from({ length: 50 }, (_, i) => ({ id: i, name: `n${i}` })) };
    const encoders: Record<string, (b: Buffer) => Buffer> = {
      gzip: gzipSync,
      deflate: deflateSync,
      br: brotliCompressSync,
    };
    const api = await startApi((req, res) => {
      const encoding = req.url?.slice(1) ?? '';
      const encode = encoders[encoding];
      if (!encode) return send(res, 404, { message: 'no such encoding' });
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding });
      res.end(encode(Buffer.from(JSON.stringify(payload))));
    });
    const http = new HttpClient({ baseUrl: api.url, crm: 'acme' });
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await http.get<typeof payload>(`/${encoding}`);
      expect(res.body).toEqual(payload);
      expect(res.headers.get('content-encoding')).toBe(encoding);
    }
    expect(api.seen[0]?.headers['accept-encoding']).toMatch(/gzip/);
  });

  it('follows redirects, and sends credentials only to the CRM origin', async () => {
    const other = await startApi((req, res) => send(res, 200, { at: 'other', path: req.url }));
    const api = await startApi((req, res) => {
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/here' });
        return res.end();
      }
      if (req.url === '/away') {
        res.writeHead(307, { location: `${other.url}/there` });
        return res.end();
      }
      send(res, 200, { at: 'api', path: req.url });
    });
    const http = new HttpClient({
      baseUrl: api.url,
      crm: 'acme',
      auth: bearerAuth('secret-token-123'),
    });
    expect((await http.get('/moved')).body).toEqual({ at: 'api', path: '/here' });
    expect(api.seen.at(-1)?.headers.authorization).toBe('Bearer secret-token-123');
    expect((await http.get('/away')).body).toEqual({ at: 'other', path: '/there' });
    expect(other.seen.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('turns a connection closed mid-body into a transient error naming the CRM', async () => {
    const api = await startApi((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"results": [');
      setTimeout(() => res.destroy(), 20);
    });
    const http = new HttpClient({ baseUrl: api.url, crm: 'acme', retries: 0 });
    const error = await http.get('/page').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmsyncError);
    expect((error as CrmsyncError).kind).toBe('transient');
    expect((error as CrmsyncError).message).toMatch(/^acme: network error: .*\/page\)$/);
  });
});
