import { afterEach, describe, expect, it } from 'vitest';
import type { FakeAuth } from './auth.js';
import { FakeApi } from './server.js';
import { FakeHttpError, ok, reply } from './types.js';

let api: FakeApi;
afterEach(() => api.close());

async function start(auth?: FakeAuth) {
  api = new FakeApi({
    name: 'acme',
    ...(auth && { auth }),
    notFound: (r) => reply(404, { code: 'not_found', path: r.path }),
    methodNotAllowed: () => reply(405, { code: 'method' }),
    faultBody: (status) => ({ code: `fault_${status}` }),
  });
  api.get('/v1/:entity/:id.json', (r) => ok({ ...r.params, q: r.query.get('q') }));
  api.get('/v1/files/*path', (r) => ok({ path: r.params.path }));
  api.post('/v1/echo', (r) => ok({ got: JSON.parse(r.body) }));
  api.get('/v1/teapot', () => {
    throw new FakeHttpError(418, { code: 'teapot' }, { 'x-why': 'because' });
  });
  api.post('/token', () => ok({ token: 'issued' }), { auth: false });
  return api.listen();
}

const get = async (url: string, init: RequestInit = {}) => {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as unknown, headers: res.headers };
};

describe('FakeApi routing', () => {
  it('routes by method and path params, the last param of a segment stopping at its suffix', async () => {
    const url = await start();
    expect((await get(`${url}/v1/calls/42.json?q=x`)).body).toEqual({
      entity: 'calls',
      id: '42',
      q: 'x',
    });
    expect((await get(`${url}/v1/files/a/b%20c`)).body).toEqual({ path: 'a/b c' });
    const echo = await get(`${url}/v1/echo`, { method: 'POST', body: '{"a":1}' });
    expect(echo.body).toEqual({ got: { a: 1 } });
  });

  it("answers unknown paths and methods, and thrown vendor errors, with the vendor's bodies", async () => {
    const url = await start();
    expect(await get(`${url}/v2/nothing`)).toMatchObject({
      status: 404,
      body: { code: 'not_found', path: '/v2/nothing' },
    });
    expect((await get(`${url}/v1/echo`)).status).toBe(405);
    const teapot = await get(`${url}/v1/teapot`);
    expect(teapot).toMatchObject({ status: 418, body: { code: 'teapot' } });
    expect(teapot.headers.get('x-why')).toBe('because');
    expect(api.requests.map((r) => [r.path, r.status])).toEqual([
      ['/v2/nothing', 404],
      ['/v1/echo', 405],
      ['/v1/teapot', 418],
    ]);
  });
});

describe('FakeApi auth', () => {
  const cases: Array<[string, FakeAuth, RequestInit, string]> = [
    ['bearer', { kind: 'bearer', token: 'tok' }, { headers: { authorization: 'Bearer tok' } }, ''],
    [
      'header',
      { kind: 'header', name: 'X-Api-Key', value: 'k' },
      { headers: { 'x-api-key': 'k' } },
      '',
    ],
    ['query', { kind: 'query', name: 'api_key', value: 'k' }, {}, '?api_key=k'],
    [
      'basic',
      { kind: 'basic', accept: { username: 'u', password: 'p:w' } },
      { headers: { authorization: `Basic ${Buffer.from('u:p:w').toString('base64')}` } },
      '',
    ],
  ];
  it.each(cases)(
    'accepts the right %s credential and refuses a missing one',
    async (_, auth, init, query) => {
      const url = await start(auth);
      expect((await get(`${url}/v1/calls/1.json${query}`, init)).status).toBe(200);
      expect((await get(`${url}/v1/calls/1.json`)).status).toBe(401);
      expect((await get(`${url}/token`, { method: 'POST' })).status).toBe(200);
    },
  );

  it("answers a refused credential with the vendor's reject, which sees what was sent", async () => {
    const url = await start({
      kind: 'bearer',
      token: (t) => t.startsWith('good-'),
      reject: (_, sent) => reply(401, { message: sent ? 'expired' : 'missing' }),
    });
    const headers = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });
    expect((await get(`${url}/v1/a/1.json`, headers('good-1'))).status).toBe(200);
    expect((await get(`${url}/v1/a/1.json`, headers('bad'))).body).toEqual({ message: 'expired' });
    expect((await get(`${url}/v1/a/1.json`)).body).toEqual({ message: 'missing' });
  });
});

describe('FakeApi faults and latency', () => {
  it('answers the next matching requests with queued faults, after letting some through', async () => {
    const url = await start();
    api.fault(
      { status: 503, times: 2, after: 1, match: (r) => r.params.entity === 'calls' },
      { status: 429, body: { custom: true }, headers: { 'retry-after': '3' } },
    );
    const statuses = [];
    for (const entity of ['calls', 'users', 'calls', 'calls', 'calls'])
      statuses.push((await get(`${url}/v1/${entity}/1.json`)).status);
    // users takes the 429 (the 503 does not match it), calls: one through, two 503s, then served.
    expect(statuses).toEqual([200, 429, 503, 503, 200]);
    api.fault({ status: 500 });
    // A token endpoint outside the auth check is not faulted unless a fault's match says so.
    expect((await get(`${url}/token`, { method: 'POST' })).status).toBe(200);
    expect((await get(`${url}/v1/x/1.json`)).body).toEqual({ code: 'fault_500' });
    api.fault({ status: 500, match: (r) => r.path === '/token' });
    expect((await get(`${url}/token`, { method: 'POST' })).status).toBe(500);
    api.fault({ status: 500 });
    api.faults.reset();
    expect((await get(`${url}/v1/x/1.json`)).status).toBe(200);
  });

  it('delays by latency and stalls, and a request stalled forever ends when the fake closes', async () => {
    const url = await start();
    api.latencyMs = 40;
    api.fault({ stall: 60 });
    let started = Date.now();
    expect((await get(`${url}/v1/x/1.json`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    api.latencyMs = 0;
    api.fault({ stall: 'forever' });
    started = Date.now();
    const hung = fetch(`${url}/v1/x/1.json`).then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((r) => setTimeout(r, 50));
    await api.close();
    expect(await hung).toBe('dropped');
  });
});
