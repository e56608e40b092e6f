import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestMetrics, type Logger, type RateLimit } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTokenSource, type GoogleCredentials } from './auth.js';
import { SheetsFakeServer } from './fake-server/index.js';
import { DRIVE_METADATA_SCOPE, SHEETS_READONLY_SCOPE } from './jwt.js';
import { createGoogleTransport, postForm } from './transport.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const signal = new AbortController().signal;
let fake: SheetsFakeServer;
const others: Array<ReturnType<typeof createServer>> = [];
afterEach(async () => {
  await fake?.close();
  for (const server of others.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

/** Another API on its own origin (a Drive root apart from the Sheets root, a vendor that echoes). */
async function otherApi(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  others.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function start(options: Parameters<typeof SheetsFakeServer.start>[0] = {}) {
  fake = await SheetsFakeServer.start({
    spreadsheets: {
      s1: {
        name: 'S',
        modifiedTime: new Date(),
        tabs: {
          Sheet1: [
            ['a', 'b'],
            ['1', '2'],
          ],
        },
      },
    },
    ...options,
  });
}

function transport(
  credentials?: GoogleCredentials,
  metrics = createRequestMetrics(),
  quota: RateLimit = { requests: 60, perMs: 60_000 },
  roots: { baseUrl?: string; driveBaseUrl?: string; logger?: Logger } = {},
) {
  const creds = credentials ?? {
    kind: 'service-account' as const,
    key: fake.serviceAccount,
    scopes: [SHEETS_READONLY_SCOPE, DRIVE_METADATA_SCOPE],
  };
  return createGoogleTransport({
    tokens: createTokenSource(creds, fake.tokenUrl, postForm),
    baseUrl: roots.baseUrl ?? fake.url,
    driveBaseUrl: roots.driveBaseUrl ?? fake.url,
    quotas: [quota],
    metrics,
    logger: roots.logger ?? quiet,
    backoffMs: 10,
  });
}

describe('Google transport', () => {
  it('trades a new token once when the old one is refused', async () => {
    await start();
    const get = transport();
    const url = `${fake.url}/v4/spreadsheets/s1/values/A1`;
    await get(url, signal);
    fake.revokeTokens();
    await expect(get(url, signal)).resolves.toMatchObject({ values: [['a']] });
    expect(fake.requests.filter((r) => r.path === '/token')).toHaveLength(2);
  });

  it('backs off on 429 RESOURCE_EXHAUSTED and 503, then succeeds', async () => {
    await start();
    const metrics = createRequestMetrics();
    fake.injectFault({ kind: 'rate-limit' });
    fake.injectFault({ kind: 'server-error', count: 1 });
    await transport(undefined, metrics)(`${fake.url}/v4/spreadsheets/s1/values/A1`, signal);
    expect(metrics.retries).toBe(2);
    expect(metrics.throttled).toBe(1);
  });

  it('stays under the per-minute read quota, Drive and Sheets reads counted together', async () => {
    await start({ perMinuteLimit: 4, minuteMs: 200 });
    const get = transport(undefined, createRequestMetrics(), { requests: 4, perMs: 200 });
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      await get(`${fake.url}/drive/v3/files/s1?fields=modifiedTime`, signal);
      await get(`${fake.url}/v4/spreadsheets/s1/values/A1`, signal);
    }
    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(0);
    expect(fake.requests.filter((r) => r.path !== '/token')).toHaveLength(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('sends the token to the Drive root too when Drive lives on another origin', async () => {
    await start();
    const seen: Array<string | undefined> = [];
    const drive = await otherApi((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 's1', modifiedTime: '2024-01-01T00:00:00.000Z' }));
    });
    const get = transport(undefined, createRequestMetrics(), undefined, { driveBaseUrl: drive });
    await expect(get(`${drive}/drive/v3/files/s1?fields=modifiedTime`, signal)).resolves.toEqual({
      id: 's1',
      modifiedTime: '2024-01-01T00:00:00.000Z',
    });
    await get(`${fake.url}/v4/spreadsheets/s1/values/A1`, signal);
    expect(seen).toEqual([expect.stringMatching(/^Bearer .+/)]);
    expect(fake.requests.filter((r) => r.path.startsWith('/v4/'))).toHaveLength(1);
  });

  it('keeps tokens and secrets out of errors and retry warnings, even when Google echoes them', async () => {
    await start();
    let calls = 0;
    const echo = await otherApi((req, res) => {
      const status = ++calls === 1 ? 503 : 400;
      const message = `refused ${req.headers.authorization} for ${fake.serviceAccount.private_key}`;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: status, message, status: 'INVALID_ARGUMENT' } }));
    });
    const warnings: string[] = [];
    const logger: Logger = { ...quiet, warn: (message) => warnings.push(message) };
    const get = transport(undefined, createRequestMetrics(), undefined, { baseUrl: echo, logger });
    const error = (await get(`${echo}/v4/spreadsheets/s1/values/A1`, signal).catch(
      (e: Error) => e,
    )) as Error;
    expect(error).toMatchObject({ kind: 'config', context: { code: 'INVALID_ARGUMENT' } });
    expect(error.message).toMatch(/refused Bearer \*\*\*/);
    expect(warnings).toHaveLength(1);
    for (const text of [error.message, ...warnings]) {
      expect(text).not.toMatch(/Bearer [^*]/);
      expect(text).not.toContain('PRIVATE KEY');
    }
  });

  it('works with an OAuth refresh token too', async () => {
    await start();
    const c = fake.oauthClient;
    const get = transport({
      kind: 'oauth-refresh',
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      refreshToken: c.refreshToken,
    });
    await expect(
      get(`${fake.url}/drive/v3/files/s1?fields=modifiedTime`, signal),
    ).resolves.toHaveProperty('modifiedTime');
  });

  it('classifies errors: bad credentials are auth, an unparsable range is config', async () => {
    await start({
      spreadsheets: {
        s1: {
          name: 'S',
          modifiedTime: new Date(),
          tabs: { Sheet1: [['a']] },
          sharedWith: ['someone@else'],
        },
      },
    });
    await expect(
      transport()(`${fake.url}/v4/spreadsheets/s1/values/A1`, signal),
    ).rejects.toMatchObject({
      kind: 'auth',
      context: { status: 403, code: 'PERMISSION_DENIED' },
    });
    const bad = transport({
      kind: 'oauth-refresh',
      clientId: 'x',
      clientSecret: 'y',
      refreshToken: 'z',
    });
    await expect(bad(`${fake.url}/v4/spreadsheets/s1/values/A1`, signal)).rejects.toMatchObject({
      kind: 'auth',
    });
    fake.spreadsheets.s1 = { name: 'S', modifiedTime: new Date(), tabs: { Sheet1: [['a']] } };
    await expect(
      transport()(`${fake.url}/v4/spreadsheets/s1/values/${encodeURIComponent('Nope!A1')}`, signal),
    ).rejects.toMatchObject({
      kind: 'config',
      message: /Unable to parse range/,
    });
  });
});
