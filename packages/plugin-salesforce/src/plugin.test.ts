import { MemoryStore, SyncEngine, silentLogger } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { salesforceFixture, sfDateTime } from './fake-server/index.js';
import salesforcePlugin, {
  extraObjects,
  parseLimitInfo,
  parseSalesforceDateTime,
} from './index.js';

describe('salesforce', () => {
  const open: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of open.splice(0)) await close();
  });

  async function setup(entity: string, size: number, options = {}) {
    const fixture = await salesforceFixture(entity, size, options);
    open.push(() => fixture.close());
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, logger: silentLogger() });
    const run = (
      options: Record<string, unknown> = {},
      config: Record<string, unknown> = fixture.config,
      pluginOptions: Record<string, unknown> = {},
    ) =>
      engine.runEntity({
        plugin: salesforcePlugin,
        entity,
        config,
        trigger: 'cli',
        options: { ...options, pluginOptions },
      });
    return { fixture, store, run };
  }
  const queries = (fixture: {
    api: { requests: Array<{ path: string; query: URLSearchParams }> };
  }) =>
    fixture.api.requests
      .filter((r) => r.path.endsWith('/query') || r.path.endsWith('/queryAll'))
      .map((r) => r.query.get('q') ?? '');

  it.each([
    ['client credentials', 'clientCredentials'],
    ['refresh token', 'refreshToken'],
    ['JWT bearer (assertion verified with the public key)', 'jwt'],
  ] as const)(
    'logs in with the %s flow and reads from the token’s instance_url',
    async (_, flow) => {
      const { fixture, run } = await setup('leads', 5);
      const result = await run({}, fixture.credentials[flow]);
      expect(result.errorMessage).toBeNull();
      expect(result.counts.created).toBe(5);
      expect(fixture.logins()).toBe(1);
    },
  );

  it('refuses a JWT signed with another key as auth, without the key in the message', async () => {
    const { fixture, run } = await setup('leads', 3);
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    const result = await run({}, { ...fixture.credentials.jwt, SALESFORCE_PRIVATE_KEY: other });
    expect(result).toMatchObject({ status: 'failed', errorKind: 'auth' });
    expect(result.errorMessage).toContain('invalid_grant');
    expect(result.errorMessage).not.toContain('PRIVATE KEY');
  });

  it('logs in again once when the session expires mid-run, and goes on from the same page', async () => {
    const { fixture, run } = await setup('contacts', 900);
    let expired = false;
    fixture.api.latencyMs = (r) => {
      if (!expired && r.path.includes('/query/')) {
        expired = true;
        fixture.expireSessions();
      }
      return 0;
    };
    const result = await run({ batchSize: 300 }, fixture.config, { slices: 1 });
    expect(result.errorMessage).toBeNull();
    expect(result.counts.created).toBe(900);
    expect(fixture.logins()).toBe(2);
    const more = fixture.api.requests.filter((r) => r.path.includes('/query/'));
    expect(more.map((r) => r.status)).toEqual([401, 200, 200]);
  });

  it('writes the delta as SOQL with unquoted datetimes, ORDER BY SystemModstamp, Id, and reads deletions from queryAll', async () => {
    const { fixture, store, run } = await setup('opportunities', 20);
    await run({}, fixture.config, { slices: 1 });
    const [gone] = await fixture.remove(1);
    await fixture.mutate(2);
    const delta = await run({}, fixture.config, { slices: 1 });
    expect(delta.counts).toMatchObject({ processed: 2, deleted: 1 });
    expect(
      (await store.getRecord('salesforce', 'opportunities', String(gone)))?.deletedAt,
    ).toBeInstanceOf(Date);
    const [records, deletes] = queries(fixture).slice(-2);
    expect(records).toMatch(
      /FROM Opportunity WHERE SystemModstamp >= \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ORDER BY SystemModstamp, Id$/,
    );
    expect(deletes).toMatch(
      /^SELECT Id FROM Opportunity WHERE IsDeleted = true AND SystemModstamp >= \d{4}-/,
    );
    const asked = fixture.api.requests.filter((r) => r.path.endsWith('/queryAll'));
    expect(asked.length).toBeGreaterThan(0);
  });

  it('selects every field describe lists (custom __c included, compound address left out), typed and +0000 datetimes as ISO', async () => {
    const { fixture, store, run } = await setup('leads', 3);
    await run();
    const lead = await store.getRecord('salesforce', 'leads', '00Q000000000002AAA');
    expect(lead?.data).toMatchObject({ Tier__c: 'tier-2', NumberOfEmployees: 2, IsDeleted: false });
    expect(lead?.data.SystemModstamp).toMatch(/Z$/);
    expect(lead?.data).not.toHaveProperty('Address');
    expect(lead?.data).not.toHaveProperty('attributes');
    expect(queries(fixture).find((q) => q.includes('Tier__c'))).not.toContain('Address');
    expect(parseSalesforceDateTime('2024-01-02T03:04:05.000+0000')).toBe(
      Date.parse('2024-01-02T03:04:05Z'),
    );
    expect(parseSalesforceDateTime('2024-01-02T03:04:05.000+0530')).toBe(
      Date.parse('2024-01-01T21:34:05Z'),
    );
    expect(sfDateTime(0)).toBe('1970-01-01T00:00:00.000+0000');
  });

  it('uses Bulk API 2.0 for an unbounded read at or past the threshold: CSV chunks by locator until "null"', async () => {
    const { fixture, store, run } = await setup('leads', 2_500);
    const config = { ...fixture.config, SALESFORCE_BULK_THRESHOLD: 2_000 };
    const result = await run({}, config);
    expect(result.errorMessage).toBeNull();
    expect(result.counts.created).toBe(2_500);
    expect(queries(fixture)[0]).toMatch(/^SELECT COUNT\(\) FROM Lead$/);
    const chunks = fixture.api.requests.filter((r) => r.path.endsWith('/results'));
    expect(chunks.length).toBe(1); // 10,000 a chunk
    const lead = await store.getRecord('salesforce', 'leads', '00Q000000000007AAA');
    expect(lead?.data).toMatchObject({ NumberOfEmployees: 7, IsDeleted: false, Tier__c: 'tier-1' });
    expect(lead?.data.SystemModstamp).toMatch(/Z$/);
    // Below the threshold (and on every delta) the REST query is used.
    const small = await run({ force: true }, { ...config, SALESFORCE_BULK_THRESHOLD: 3_000 });
    expect(small.counts.processed).toBe(2_500);
    expect(fixture.api.requests.filter((r) => r.path.endsWith('/jobs/query'))).toHaveLength(1);
  });

  it('resumes a Bulk 2.0 read at the locator of the next chunk', async () => {
    const { fixture, run, store } = await setup('accounts', 3_000);
    const config = {
      ...fixture.config,
      SALESFORCE_BULK_THRESHOLD: 1,
      SALESFORCE_BULK_CHUNK: 1_000,
    };
    const stop = new AbortController();
    fixture.api.latencyMs = (r) => {
      if (r.path.endsWith('/results') && r.query.get('locator')) stop.abort(new Error('crash'));
      return 0;
    };
    const first = await new SyncEngine({ store, logger: silentLogger() }).runEntity({
      plugin: salesforcePlugin,
      entity: 'accounts',
      config,
      trigger: 'cli',
      options: {},
      signal: stop.signal,
    });
    expect(first.status).toBe('failed');
    fixture.api.latencyMs = 0;
    const second = await run({}, config);
    expect(second.resumedFromRunId).toBe(first.id);
    expect(second.counts.created).toBe(2_000);
    expect(fixture.api.requests.filter((r) => r.path.endsWith('/jobs/query'))).toHaveLength(1);
  });

  it('treats 403 REQUEST_LIMIT_EXCEEDED as a rate limit with the usage figures, and stops before a spent allocation', async () => {
    const { fixture, run } = await setup('accounts', 50, { dailyLimit: 4 });
    // Logging in is not an API call; describe and three LIMIT pages spend the 4 requests.
    // One chain: with spans read at once, calls already in flight when the budget runs out
    // would get Salesforce's 403 (also a rate limit) rather than the client's own refusal.
    const first = await run({ batchSize: 20 }, fixture.config, { slices: 1 });
    expect(first).toMatchObject({ status: 'failed', errorKind: 'rate_limit' });
    expect(first.errorMessage).toContain("the org's daily API allocation is spent (API usage 4/4");
    const calls = fixture.api.requests.filter((r) => r.path.startsWith('/services/data/'));
    expect(calls.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    // A new run knows no usage yet: Salesforce's own 403 says it, and it is still a rate limit.
    const second = await run({ batchSize: 20 }, fixture.config, { slices: 1 });
    expect(second).toMatchObject({ status: 'failed', errorKind: 'rate_limit' });
    expect(second.errorMessage).toContain('HTTP 403');
    expect(second.errorMessage).toContain('REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.');
    expect(second.errorMessage).toContain('API usage 4/4 requests in the rolling 24 hours');
    expect(parseLimitInfo('api-usage=18/15000')).toEqual({ used: 18, max: 15_000 });
  });

  it('adds SALESFORCE_OBJECTS as entities and refuses a name that is not an SObject', () => {
    expect(extraObjects('Case, Invoice__c,Lead').map((e) => e.name)).toEqual([
      'case',
      'invoice__c',
    ]);
    expect(() => extraObjects('Case;drop')).toThrow(/SALESFORCE_OBJECTS: 'Case;drop'/);
    const names = salesforcePlugin.configureEntities?.({ SALESFORCE_OBJECTS: 'Case' } as never);
    expect(names?.map((e) => e.name)).toEqual([
      'leads',
      'contacts',
      'accounts',
      'opportunities',
      'case',
    ]);
  });
});
