import createDebug from 'debug';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveListenAddress } from './server.js';
import { seedRuns } from '../../test/api/test-seed.js';
import { CALLRAIL_SECRET, startTestApi, type TestApi } from '../../test/api/test-support.js';

const TOKEN = 'api-token-0b9d7e31';

/** Opens a graphql-ws socket and resolves with how it closed (or 'acked' once the server accepts it). */
function connect(url: string, payload?: Record<string, unknown>, headers?: Record<string, string>) {
  return new Promise<{ code: number; reason: string } | 'acked'>((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { headers });
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', ...(payload && { payload }) })),
    );
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') {
        resolve('acked');
        socket.close();
      }
    });
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    socket.on('error', reject);
  });
}

describe('API token', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({
      provider: 'sqlite',
      apiToken: TOKEN,
    });
  });
  afterAll(() => t?.close());

  it('answers 401 to HTTP requests without the right bearer token', async () => {
    expect((await t.gql('{ overview { activeRuns } }')).status).toBe(401);
    expect(
      (await t.gql('{ overview { activeRuns } }', {}, { authorization: 'Bearer wrong' })).status,
    ).toBe(401);
    const ok = await t.gql('{ overview { activeRuns } }', {}, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual({ overview: { activeRuns: 0 } });
    const cookie = await t.gql(
      '{ overview { activeRuns } }',
      {},
      { cookie: `theme=dark; crmsync_token=${TOKEN}` },
    );
    expect(cookie.status).toBe(200);
  });

  it('closes WebSocket connections without the token with 4401', async () => {
    expect(await connect(t.api.wsUrl)).toEqual({ code: 4401, reason: 'Unauthorized' });
    expect(await connect(t.api.wsUrl, { authorization: 'Bearer wrong' })).toEqual({
      code: 4401,
      reason: 'Unauthorized',
    });
    expect(await connect(t.api.wsUrl, { authorization: `Bearer ${TOKEN}` })).toBe('acked');
    expect(await connect(t.api.wsUrl, { token: TOKEN })).toBe('acked');
    expect(await connect(t.api.wsUrl, undefined, { cookie: `crmsync_token=${TOKEN}` })).toBe(
      'acked',
    );
  });

  it('runs an operation over an authorised socket', async () => {
    const client = t.ws({ token: TOKEN });
    const result = await new Promise((resolve, reject) => {
      client.subscribe(
        { query: '{ overview { activeRuns } }' },
        { next: resolve, error: reject, complete: () => {} },
      );
    });
    expect(result).toEqual({ data: { overview: { activeRuns: 0 } } });
  });
});

describe('request protections', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ provider: 'sqlite', maxDepth: 4 });
  });
  afterAll(() => t?.close());

  it('refuses a simple (CSRF-able) GET without the CSRF header', async () => {
    const url = `${t.api.url}?query=${encodeURIComponent('{ overview { activeRuns } }')}`;
    expect((await fetch(url)).status).toBe(403);
    const ok = await fetch(url, { headers: { 'x-crmsync-csrf': '1', accept: 'application/json' } });
    expect(ok.status).toBe(200);
  });

  it('refuses queries deeper than the depth limit', async () => {
    const { body } = await t.gql(
      '{ runs { edges { node { events { edges { node { id } } } } } } }',
    );
    expect(body.data).toBeUndefined();
    expect(body.errors!.map((e) => e.message).join('\n')).toMatch(/depth/i);
  });

  it('refuses queries costlier than the cost limit', async () => {
    const limited = await startTestApi({
      provider: 'sqlite',
      maxCost: 40,
    });
    try {
      const fields = Array.from(
        { length: 12 },
        (_, i) => `a${i}: overview { activeRuns successRate }`,
      ).join(' ');
      const { body } = await limited.gql(`{ ${fields} }`);
      expect(body.data).toBeUndefined();
      expect(body.errors!.map((e) => e.message).join('\n')).toMatch(/cost limit of 40 exceeded/i);
      expect((await limited.gql('{ overview { activeRuns } }')).body.data).toEqual({
        overview: { activeRuns: 0 },
      });
    } finally {
      await limited.close();
    }
  });

  it('answers 404 outside /graphql', async () => {
    expect((await fetch(t.api.url.replace('/graphql', '/nowhere'))).status).toBe(404);
  });
});

describe('introspection', () => {
  const query = '{ __schema { queryType { name } } }';

  it('is refused when NODE_ENV=production', async () => {
    const t = await startTestApi({
      provider: 'sqlite',
      env: { NODE_ENV: 'production' },
    });
    try {
      const { body } = await t.gql(query);
      expect(body.errors![0]!.message).toMatch(/introspection/i);
      expect((await t.gql('{ overview { activeRuns } }')).body.data).toEqual({
        overview: { activeRuns: 0 },
      });
    } finally {
      await t.close();
    }
  });

  it('is allowed in production with CRMSYNC_INTROSPECTION=1, and outside production', async () => {
    for (const env of [{ NODE_ENV: 'production', CRMSYNC_INTROSPECTION: '1' }, {}]) {
      const t = await startTestApi({ provider: 'sqlite', env });
      try {
        expect((await t.gql(query)).body.data).toEqual({
          __schema: { queryType: { name: 'Query' } },
        });
      } finally {
        await t.close();
      }
    }
  });
});

describe('listen address', () => {
  it('binds 127.0.0.1:4000 unless configured', () => {
    expect(resolveListenAddress({ env: {} })).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(
      resolveListenAddress({ env: { CRMSYNC_HOST: '0.0.0.0', CRMSYNC_PORT: '8080' } }),
    ).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(
      resolveListenAddress({
        host: '::1',
        port: 0,
        env: { CRMSYNC_HOST: '0.0.0.0', CRMSYNC_PORT: '8080' },
      }),
    ).toEqual({ host: '::1', port: 0 });
    expect(() => resolveListenAddress({ env: { CRMSYNC_PORT: 'http' } })).toThrow(
      /Invalid port: expected an integer from 0 to 65535/,
    );
  });
});

describe('secrets', () => {
  let t: TestApi;
  const logged: string[] = [];
  const debugLog = createDebug.log;
  beforeAll(async () => {
    createDebug.enable('crmsync:*');
    createDebug.log = (...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
    };
    t = await startTestApi({ provider: 'sqlite' });
    await seedRuns(t.store.prisma, [
      {
        crm: 'callrail',
        entity: 'calls',
        status: 'failed',
        startedMinutesAgo: 10,
        errorKind: 'auth',
        // A plugin breaking the contract: its secret in an error message and in the run's options.
        errorMessage: `401 for key ${CALLRAIL_SECRET}`,
        configuration: { CALLRAIL_API_KEY: CALLRAIL_SECRET, apiKey: 'x', batchSize: 50 },
      },
    ]);
  });
  afterAll(async () => {
    createDebug.log = debugLog;
    createDebug.disable();
    await t?.close();
  });

  it('never returns or logs a configured secret', async () => {
    const queries = [
      '{ crms { name configured configFields { name env secret } options { name default } entities { name lastRun { configuration errorMessage } } } }',
      '{ runs { edges { node { configuration errorMessage performanceMetrics } } } }',
      '{ errorAnalysis { recentFailures { errorMessage configuration } byKind { kind count } } }',
      '{ crmStatus { crm lastRun { errorMessage configuration } } }',
      '{ systemHealth { crms { crm reachable message } database { reachable } } }',
      '{ records(crm: "callrail", entity: "nope") { totalCount } }',
      '{ __schema { types { name description } } }',
    ];
    const texts: string[] = [];
    await t.api.health.refresh();
    for (const query of queries) texts.push((await t.gql(query)).text);
    const runs = JSON.parse(texts[1]!) as {
      data: {
        runs: {
          edges: Array<{ node: { configuration: Record<string, unknown>; errorMessage: string } }>;
        };
      };
    };
    expect(runs.data.runs.edges[0]!.node).toMatchObject({
      configuration: { CALLRAIL_API_KEY: '[redacted]', apiKey: '[redacted]', batchSize: 50 },
      errorMessage: '401 for key [redacted]',
    });
    for (const text of [...texts, ...logged]) expect(text).not.toContain(CALLRAIL_SECRET);
    expect(texts.join('\n')).toContain('CALLRAIL_API_KEY');
  });
});
