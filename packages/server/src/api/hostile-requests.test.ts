import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDashboardHandler } from '../dashboard/index.js';
import { seedRuns } from './test-seed.js';
import { CALLRAIL_SECRET, collect, startTestApi, type TestApi } from './test-support.js';

const TOKEN = 'api-token-5e1f0c77';

/** Sends raw bytes (a request fetch would refuse to build) and resolves with the status line. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => socket.write(text));
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d.toString();
    });
    socket.on('end', () => resolve(got.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

/** Opens a graphql-ws socket; resolves 'acked', or how the server refused it. */
function openSocket(url: string, headers: Record<string, string>) {
  return new Promise<string>((resolve) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { headers });
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') {
        resolve('acked');
        socket.close();
      }
    });
    socket.on('unexpected-response', (_req, res) => {
      resolve(`http ${res.statusCode}`);
      socket.terminate();
    });
    socket.on('close', (code) => resolve(`closed ${code}`));
    socket.on('error', (error) => resolve(`error ${error.message}`));
  });
}

describe('a request the server cannot parse', () => {
  let t: TestApi;
  const logged: string[] = [];
  let base: string;
  beforeAll(async () => {
    let dashboard: ReturnType<typeof createDashboardHandler> | undefined;
    t = await startTestApi({
      provider: 'sqlite',
      apiToken: TOKEN,
      logSink: (line) => logged.push(`${line.level} ${line.message}`),
      extraHandler: (req, res) => {
        if (req.url === '/boom')
          throw new Error(`proxy http://ops:pw-url-31d9@crm.example/ said ${CALLRAIL_SECRET}`);
        return dashboard?.(req, res) ?? false;
      },
    });
    dashboard = createDashboardHandler({
      runtime: t.runtime,
      dashboardDir: null,
      apiToken: TOKEN,
    });
    base = t.api.url.replace(/\/graphql$/, '');
  });
  afterAll(() => t?.close());

  it('answers a malformed token cookie with 401, on the export and on /graphql, and lives on', async () => {
    const cookie = { cookie: 'crmsync_token=%' };
    const csv = await fetch(`${base}/export/records.csv?crm=callrail&entity=calls`, {
      headers: cookie,
    });
    expect(csv.status).toBe(401);
    expect((await t.gql('{ overview { activeRuns } }', {}, cookie)).status).toBe(401);
    expect(await openSocket(t.api.wsUrl, cookie)).toBe('closed 4401');
    const ok = await t.gql('{ overview { activeRuns } }', {}, { authorization: `Bearer ${TOKEN}` });
    expect(ok.body.data).toEqual({ overview: { activeRuns: 0 } });
  });

  it('answers a request target that is no URL with 400', async () => {
    const status = await rawRequest(
      t.api.port,
      'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(status).toBe('HTTP/1.1 400 Bad Request');
    const badHost = await rawRequest(
      t.api.port,
      `GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: ! !\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`,
    );
    expect(badHost).toBe('HTTP/1.1 400 Bad Request');
  });

  it('gives a GraphQL error about the request a code, like every other', async () => {
    const { body } = await t.gql(
      '{ runs(after: "") { totalCount } }',
      {},
      { authorization: `Bearer ${TOKEN}` },
    );
    expect(body.errors![0]).toMatchObject({
      message: expect.stringMatching(/cursor/i),
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('answers 500 to a handler that throws, and logs it without credentials', async () => {
    const res = await fetch(`${base}/boom`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('pw-url-31d9');
    const line = logged.find((l) => l.includes('/boom'));
    expect(line).toMatch(/^error .*crm\.example/);
    expect(line).not.toContain('pw-url-31d9');
    expect(line).not.toContain(CALLRAIL_SECRET);
    expect((await fetch(`${base}/export/records.csv`)).status).toBe(401);
  });
});

describe('a malformed operation over the WebSocket', () => {
  it('gets a GraphQL error and leaves the socket open', async () => {
    const t = await startTestApi({ provider: 'sqlite' });
    try {
      const client = t.ws();
      const run = (query: string) =>
        new Promise<unknown>((resolve, reject) => {
          client.subscribe(
            { query },
            { next: resolve, error: (e) => resolve({ error: e }), complete: () => {} },
          );
          setTimeout(() => reject(new Error('no answer')), 5_000);
        });
      expect(await run('{')).toMatchObject({
        error: [{ message: expect.stringMatching(/^Syntax Error/) }],
      });
      expect(await run('{ overview { activeRuns } }')).toEqual({
        data: { overview: { activeRuns: 0 } },
      });
    } finally {
      await t.close();
    }
  });
});

describe('cross-origin browsers', () => {
  const QUERY = JSON.stringify({ query: '{ overview { activeRuns } }' });
  const post = (t: TestApi, origin?: string) =>
    fetch(t.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(origin && { origin }) },
      body: QUERY,
    });

  it('are refused over HTTP and WebSocket unless same-origin or allowed by CRMSYNC_CORS_ORIGINS', async () => {
    const t = await startTestApi({
      provider: 'sqlite',
      env: { CRMSYNC_CORS_ORIGINS: 'http://localhost:5173, https://crm.example.com' },
    });
    try {
      const self = `http://127.0.0.1:${t.api.port}`;
      const other = `http://127.0.0.1:${t.api.port === 1 ? 2 : 1}`;

      const cross = await post(t, other);
      expect(cross.status).toBe(403);
      expect(cross.headers.get('access-control-allow-origin')).toBeNull();
      expect(cross.headers.get('access-control-allow-credentials')).toBeNull();
      expect(await cross.text()).toContain('CRMSYNC_CORS_ORIGINS');
      const preflight = await fetch(t.api.url, {
        method: 'OPTIONS',
        headers: { origin: other, 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();

      expect((await post(t)).status).toBe(200);
      expect((await post(t, self)).status).toBe(200);
      const allowed = await post(t, 'http://localhost:5173');
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');

      expect(await openSocket(t.api.wsUrl, { origin: other })).toBe('http 403');
      expect(await openSocket(t.api.wsUrl, { origin: 'null' })).toBe('http 403');
      expect(await openSocket(t.api.wsUrl, {})).toBe('acked');
      expect(await openSocket(t.api.wsUrl, { origin: self })).toBe('acked');
      expect(await openSocket(t.api.wsUrl, { origin: 'https://crm.example.com' })).toBe('acked');
    } finally {
      await t.close();
    }
  });

  it('refuses a CRMSYNC_CORS_ORIGINS entry that is not an origin, naming it', async () => {
    await expect(
      startTestApi({
        provider: 'sqlite',
        env: { CRMSYNC_CORS_ORIGINS: 'http://ok.example, *' },
      }),
    ).rejects.toThrow(/CRMSYNC_CORS_ORIGINS.*\*/);
  });
});

describe('credentials inside URLs', () => {
  let t: TestApi;
  const PASSWORD = 'pw-url-8a2c';
  beforeAll(async () => {
    t = await startTestApi({ provider: 'sqlite' });
    await seedRuns(t.store.prisma, [
      {
        crm: 'callrail',
        entity: 'calls',
        status: 'failed',
        startedMinutesAgo: 3,
        errorKind: 'network',
        errorMessage: `fetch failed: GET http://admin:${PASSWORD}@crm.example/v3/calls`,
        configuration: { baseUrl: `https://token-only-${PASSWORD}@crm.example/` },
      },
    ]);
  });
  afterAll(() => t?.close());

  it('are masked in history rows and error messages the API returns', async () => {
    const texts = await Promise.all(
      [
        '{ runs { edges { node { errorMessage configuration } } } }',
        '{ errorAnalysis { recentFailures { errorMessage configuration } } }',
        `{ records(crm: "callrail", entity: "postgres://u:${PASSWORD}@db/x") { totalCount } }`,
      ].map(async (q) => (await t.gql(q)).text),
    );
    for (const text of texts) expect(text).not.toContain(PASSWORD);
    expect(texts[0]).toContain('http://[redacted]@crm.example/v3/calls');
    expect(texts[2]).toContain('postgres://[redacted]@db/x');
  });
});

describe('runFinished for one run', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ provider: 'sqlite' });
  });
  afterAll(() => t?.close());

  it('delivers the final state at once when the run has already ended', async () => {
    const [runId] = await seedRuns(t.store.prisma, [
      { crm: 'callrail', entity: 'calls', status: 'partial', startedMinutesAgo: 2 },
    ]);
    const { done } = collect<{ runFinished: { runId: string; status: string } }>(
      t.ws(),
      'subscription($id: ID!) { runFinished(runId: $id) { runId status run { id } } }',
      { id: runId },
      (items) => items.length === 1,
      5_000,
    );
    expect(await done).toEqual([{ runFinished: { runId, status: 'partial', run: { id: runId } } }]);
  });

  it('delivers the end of a run still running when it comes', async () => {
    const [runId] = await seedRuns(t.store.prisma, [
      { crm: 'callrail', entity: 'calls', status: 'running', startedMinutesAgo: 1 },
    ]);
    const { done } = collect<{ runFinished: { runId: string; status: string } }>(
      t.ws(),
      'subscription($id: ID!) { runFinished(runId: $id) { runId status } }',
      { id: runId },
      (items) => items.length === 1,
      5_000,
    );
    await t.listening(1);
    const at = new Date().toISOString();
    for (const id of ['someone-else', runId!])
      t.api.pubsub.publish('run:finished', {
        runId: id,
        crmSource: 'callrail',
        syncType: 'calls',
        status: 'failed',
        at,
      });
    expect(await done).toEqual([{ runFinished: { runId, status: 'failed' } }]);
  });

  it('is a typed error for a run that does not exist', async () => {
    const { done } = collect(
      t.ws(),
      'subscription { runFinished(runId: "no-such-run") { runId } }',
      {},
      () => true,
      5_000,
    );
    const error = await done.then(
      () => null,
      (e: Error) => e.message,
    );
    expect(JSON.parse(error ?? '[]')).toMatchObject([
      { message: 'No run with id no-such-run', extensions: { code: 'NOT_FOUND' } },
    ]);
  });
});
