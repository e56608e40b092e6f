import { createRequestMetrics, type Logger } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTokenSource, type GoogleCredentials } from './auth.js';
import { SheetsFakeServer } from './fake-server/index.js';
import { DRIVE_METADATA_SCOPE, SHEETS_READONLY_SCOPE } from './jwt.js';
import { createGoogleTransport, postForm } from './transport.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const signal = new AbortController().signal;
let fake: SheetsFakeServer;
afterEach(async () => fake?.close());

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
  perMinute = 60,
) {
  const creds = credentials ?? {
    kind: 'service-account' as const,
    key: fake.serviceAccount,
    scopes: [SHEETS_READONLY_SCOPE, DRIVE_METADATA_SCOPE],
  };
  return createGoogleTransport({
    tokens: createTokenSource(creds, fake.tokenUrl, postForm),
    quotas: [{ limit: perMinute, windowMs: 60_000 }],
    metrics,
    logger: quiet,
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
