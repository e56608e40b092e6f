import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardHandler } from '../dashboard/index.js';
import { type GqlBody, startTestApi, type TestApi } from './test-support.js';

/**
 * Property-based: whatever a client sends, the server answers with a result, a typed GraphQL
 * error (an `extensions.code` other than INTERNAL_SERVER_ERROR) or a 4xx — never a 5xx, an
 * "Unexpected error.", or a dead process. Bounded so the file stays well under 20 s.
 */
const RUNS = 60;
const TOKEN = 'fuzz-token-6d2b91';

/** Printable text with the characters that break naive parsers over-represented. */
const nasty = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ unit: fc.constantFrom('%', ';', '=', ',', '"', "'", '\\', '{', '_', '$', '.', 'a') }),
  fc.constantFrom('', '__proto__', 'constructor', 'toString', '%', '%E0%A4%A', '\u0000', '💥'),
);
const field = fc.oneof(
  fc.constantFrom('id', 'customer_name', 'duration', 'externalId', 'lastSyncedAt'),
  nasty,
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** Mostly the declared type, sometimes anything at all (coercion must fail typed too). */
const typed = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
const int = fc.oneof(
  fc.integer({ min: -3, max: 600 }),
  fc.integer(),
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 1.5),
);
const date = fc.oneof(
  fc.constantFrom('2024-01-31', '2024-02-30', '0000-00-00', '2024-01-01T00:00:00Z'),
  nasty,
);

function expectTyped(status: number, text: string) {
  expect(status, text).toBeLessThan(500);
  if (status === 401 || status === 403 || status === 404 || status === 405) return;
  const body = JSON.parse(text) as GqlBody<unknown>;
  for (const error of body.errors ?? []) {
    expect(error.message, text).not.toBe('Unexpected error.');
    expect(error.extensions?.code, text).not.toBe('INTERNAL_SERVER_ERROR');
    if (status === 200) expect(error.extensions?.code, text).toEqual(expect.any(String));
  }
}

describe('arbitrary GraphQL variables', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ provider: 'sqlite', callrailSize: 3 });
  });
  afterAll(() => t?.close());

  const check = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(t.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    expectTyped(res.status, await res.text());
  };

  it('to records get a page or a typed error', async () => {
    const query = `query($crm: String!, $entity: String!, $search: String, $filters: [RecordFilter!], $sort: RecordSort, $first: Int, $after: String, $deleted: Boolean) {
      records(crm: $crm, entity: $entity, search: $search, filters: $filters, sort: $sort, first: $first, after: $after, includeDeleted: $deleted) {
        totalCount edges { cursor node { externalId fields { name value } } } } }`;
    const filter = fc.record({
      field: typed(field),
      op: typed(fc.constantFrom('EQUALS', 'CONTAINS', 'GT', 'LTE', 'IS_EMPTY', 'NOPE')),
      value: maybe(typed(nasty)),
    });
    const args = fc.record({
      crm: typed(fc.oneof(fc.constant('callrail'), nasty)),
      entity: typed(fc.oneof(fc.constantFrom('calls', 'companies'), nasty)),
      search: maybe(typed(nasty)),
      filters: maybe(typed(fc.array(filter, { maxLength: 3 }))),
      sort: maybe(typed(fc.record({ field, direction: fc.constantFrom('ASC', 'DESC', 'UP') }))),
      first: maybe(typed(int)),
      after: maybe(
        fc.oneof(
          nasty,
          fc
            .jsonValue({ maxDepth: 2 })
            .map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')),
        ),
      ),
      deleted: maybe(typed(fc.boolean())),
    });
    await fc.assert(
      fc.asyncProperty(args, (v) => check(query, v)),
      { numRuns: RUNS },
    );
  });

  it('to runs and run get a page or a typed error', async () => {
    const query = `query($filter: RunFilter, $sort: RunSort, $first: Int, $after: String, $last: Int, $before: String, $id: ID!) {
      runs(filter: $filter, sort: $sort, first: $first, after: $after, last: $last, before: $before) {
        totalCount edges { node { id status } } }
      run(id: $id) { id } }`;
    const args = fc.record({
      filter: maybe(
        typed(
          fc.record({
            crm: maybe(nasty),
            entity: maybe(nasty),
            status: maybe(fc.constantFrom('running', 'failed', 'bogus')),
            startedAfter: maybe(date),
            startedBefore: maybe(date),
          }),
        ),
      ),
      sort: maybe(typed(fc.constantFrom('NEWEST_FIRST', 'OLDEST_FIRST', 'SIDEWAYS'))),
      first: maybe(typed(int)),
      last: maybe(typed(int)),
      after: maybe(nasty),
      before: maybe(nasty),
      id: typed(nasty),
    });
    await fc.assert(
      fc.asyncProperty(args, (v) => check(query, v)),
      { numRuns: RUNS },
    );
  });

  it('to startSync get a run or a typed error', async () => {
    const query = `mutation($input: StartSyncInput!) { startSync(input: $input) {
      __typename ... on MutationStartSyncSuccess { data { runId } } ... on Error { message } } }`;
    const input = fc.record({
      crm: typed(fc.oneof(fc.constant('callrail'), nasty)),
      entity: typed(fc.oneof(fc.constantFrom('calls', 'companies', 'all'), nasty)),
      full: maybe(typed(fc.boolean())),
      force: maybe(fc.boolean()),
      startDate: maybe(date),
      endDate: maybe(date),
      dryRun: maybe(fc.boolean()),
      batchSize: maybe(typed(int)),
      maxRecords: maybe(int),
      pluginOptions: maybe(fc.jsonValue({ maxDepth: 2 })),
    });
    await fc.assert(
      fc.asyncProperty(input, (v) => check(query, { input: v })),
      { numRuns: RUNS },
    );
  });

  it('to the schedule mutations get a schedule or a typed error', async () => {
    const query = `mutation($input: CreateScheduleInput!, $id: ID!, $patch: UpdateScheduleInput!, $reason: String) {
      createSchedule(input: $input) { __typename ... on Error { message } }
      updateSchedule(id: $id, input: $patch) { __typename ... on Error { message } }
      pauseSchedule(id: $id, reason: $reason) { __typename ... on Error { message } }
      deleteSchedule(id: $id) { __typename ... on Error { message } } }`;
    const interval = fc.oneof(fc.constantFrom('15m', '2h', '1d', '0m', '15 minutes'), nasty);
    const args = fc.record({
      input: typed(
        fc.record({
          crm: fc.oneof(fc.constant('callrail'), nasty),
          entity: fc.oneof(fc.constantFrom('calls', 'all'), nasty),
          interval: maybe(interval),
          cron: maybe(fc.oneof(fc.constantFrom('*/5 * * * *', '61 * * * *'), nasty)),
          options: maybe(fc.jsonValue({ maxDepth: 2 })),
          enabled: maybe(fc.boolean()),
        }),
      ),
      id: typed(nasty),
      patch: typed(
        fc.record({
          interval: maybe(interval),
          cron: maybe(nasty),
          options: maybe(fc.jsonValue({ maxDepth: 2 })),
        }),
      ),
      reason: maybe(nasty),
    });
    await fc.assert(
      fc.asyncProperty(args, (v) => check(query, v)),
      { numRuns: RUNS },
    );
  });
});

/** Any header value node's HTTP client can send: visible Latin-1, space and tab. */
const headerValue = fc.oneof(
  nasty.map((s) => s.replace(/[^\t\x20-\x7e]/g, '')),
  fc.string({
    unit: fc
      .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
      .map((c) => String.fromCharCode(c)),
  }),
  fc.constantFrom(`crmsync_token=${TOKEN}`, `Bearer ${TOKEN}`, 'crmsync_token=%', 'null'),
);
const headers = fc.dictionary(
  fc.constantFrom(
    'cookie',
    'authorization',
    'origin',
    'content-type',
    'accept',
    'x-crmsync-csrf',
    'host',
    'accept-encoding',
    'content-length',
  ),
  headerValue,
  { maxKeys: 5 },
);
const pathChars = fc.string({
  unit: fc.constantFrom('a', '/', '%', '.', '_', '~', '-', '?', '&', '=', 'E', '0', 'F', '[', '@'),
  maxLength: 20,
});

describe('arbitrary HTTP requests', () => {
  let t: TestApi;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'crmsync-fuzz-ui-'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    let handler: ReturnType<typeof createDashboardHandler> | undefined;
    t = await startTestApi({
      provider: 'sqlite',
      apiToken: TOKEN,
      extraHandler: (req, res) => handler?.(req, res) ?? false,
    });
    handler = createDashboardHandler({ runtime: t.runtime, dashboardDir: dir, apiToken: TOKEN });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function send(method: string, target: string, head: Record<string, string>, body: string) {
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        // A fresh connection each time: one the server rightly closed is not reused.
        { host: '127.0.0.1', port: t.api.port, method, path: target, headers: head, agent: false },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      // A content-length that disagrees with the body is the client's own error: the server
      // may close the socket; that is not a server failure.
      req.on('error', (error) =>
        'content-length' in head ? resolve({ status: 499, text: error.message }) : reject(error),
      );
      req.end(method === 'GET' || method === 'HEAD' ? undefined : body);
    });
  }

  it('to /graphql, the export and static paths get a response below 500', async () => {
    const target = fc.oneof(
      fc.constantFrom('/graphql', '/export/records.csv?crm=callrail&entity=calls'),
      pathChars.map((p) => `/graphql?${p}`),
      pathChars.map((p) => `/export/records.csv?crm=callrail&entity=calls&sort=${p}`),
      pathChars.map((p) => `/${p}`),
    );
    const body = fc.oneof(
      fc.constant(JSON.stringify({ query: '{ overview { activeRuns } }' })),
      nasty,
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? ''),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'PUT'),
        target,
        headers,
        body,
        async (method, path, head, payload) => {
          const { status, text } = await send(method, path, head, payload);
          expect(status, `${method} ${path} ${JSON.stringify(head)}: ${text}`).toBeLessThan(500);
          expect(text).not.toContain('Unexpected error.');
        },
      ),
      { numRuns: 120 },
    );
    const alive = await send(
      'GET',
      '/graphql?query={__typename}',
      {
        authorization: `Bearer ${TOKEN}`,
        'x-crmsync-csrf': '1',
        accept: 'application/json',
      },
      '',
    );
    expect(alive).toEqual({ status: 200, text: '{"data":{"__typename":"Query"}}' });
  });
});
