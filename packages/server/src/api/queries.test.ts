import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRuns } from '../../test/api/test-seed.js';
import { startTestApi, type TestApi, testProviders } from '../../test/api/test-support.js';

const providers = await testProviders();

describe.each(providers)('GraphQL queries on %s', (provider) => {
  let t: TestApi;
  let ids: string[];

  beforeAll(async () => {
    t = await startTestApi({ provider });
    const now = Date.now();
    ids = await seedRuns(
      t.store.prisma,
      [
        {
          crm: 'callrail',
          entity: 'companies',
          status: 'failed',
          startedMinutesAgo: 2 * 24 * 60,
          errorKind: 'rate_limit',
          errorMessage: 'CallRail answered 429 for 10 minutes',
        },
        {
          crm: 'callrail',
          entity: 'companies',
          status: 'success',
          startedMinutesAgo: 30 * 60,
          durationSeconds: 30,
          processed: 40,
          created: 40,
        },
        {
          crm: 'callrail',
          entity: 'calls',
          status: 'partial',
          startedMinutesAgo: 5 * 60,
          durationSeconds: 90,
          processed: 100,
          created: 5,
          updated: 90,
          failed: 5,
        },
        {
          crm: 'callrail',
          entity: 'calls',
          status: 'failed',
          startedMinutesAgo: 3 * 60,
          errorKind: 'auth',
          errorMessage: 'CallRail refused the API key (401)',
        },
        {
          crm: 'hubspot',
          entity: 'contacts',
          status: 'success',
          startedMinutesAgo: 60,
          durationSeconds: 120,
          processed: 50,
          created: 10,
          updated: 40,
        },
        {
          crm: 'callrail',
          entity: 'calls',
          status: 'success',
          startedMinutesAgo: 2 * 60,
          durationSeconds: 60,
          processed: 200,
          created: 20,
          updated: 180,
        },
        {
          crm: 'callrail',
          entity: 'calls',
          status: 'running',
          startedMinutesAgo: 1,
          processed: 10,
        },
      ],
      now,
    );
    const calls = ids[6]!;
    await t.store.appendEvents([
      { runId: calls, level: 'info', message: 'page 1 written', at: new Date(now - 30_000) },
      {
        runId: calls,
        level: 'warn',
        message: "Validation warning for field 'agent_email'",
        recordId: 'CAL1',
        at: new Date(now - 20_000),
      },
    ]);
    await t.store.prisma.syncSchedule.create({
      data: {
        id: 'sched-1',
        crmSource: 'callrail',
        syncType: 'calls',
        interval: '15 minutes',
        options: {},
        nextRun: new Date(now + 15 * 60_000),
      },
    });
  });
  afterAll(() => t?.close());

  it('lists installed CRMs with entities, their last run, record counts and plugin options', async () => {
    await t.store.upsertRecords(
      'callrail',
      'companies',
      [{ externalId: 'COM1', data: { id: 'COM1', name: 'Acme' }, hash: 'h1' }],
      { runId: ids[1]!, policy: 'overwrite' },
    );
    const { body } = await t.gql(`{ crms { name displayName kind configured
      options { name type choices }
      configFields { name secret }
      entities { name primaryKey status recordCount lastRun { id status } fields { name type required } } } }`);
    expect(body.errors).toBeUndefined();
    const crms = body.data!.crms as Array<
      Record<string, unknown> & { entities: Array<Record<string, unknown>> }
    >;
    expect(crms.map((c) => c.name)).toEqual(['callrail']);
    const callrail = crms[0]!;
    expect(callrail).toMatchObject({ displayName: 'CallRail', kind: 'api', configured: true });
    expect(callrail.configFields).toContainEqual({ name: 'CALLRAIL_API_KEY', secret: true });
    const calls = callrail.entities.find((e) => e.name === 'calls')!;
    expect(calls).toMatchObject({ status: 'running', lastRun: { id: ids[6], status: 'running' } });
    expect(calls.fields).toContainEqual({ name: 'duration', type: 'integer', required: false });
    const companies = callrail.entities.find((e) => e.name === 'companies')!;
    expect(companies).toMatchObject({ status: 'success', recordCount: 1 });
    expect(callrail.entities.find((e) => e.name === 'tags')).toMatchObject({
      status: null,
      lastRun: null,
    });
  });

  it('pages runs by cursor with filters and both orders', async () => {
    const query = `query($first: Int, $after: String, $filter: RunFilter, $sort: RunSort) {
      runs(first: $first, after: $after, filter: $filter, sort: $sort) {
        totalCount edges { cursor node { id status crmSource syncType durationSeconds } } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 4; page++) {
      const { body } = await t.gql(query, { first: 3, after });
      expect(body.errors).toBeUndefined();
      const runs = body.data!.runs as {
        totalCount: number;
        edges: Array<{ node: { id: string } }>;
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
      expect(runs.totalCount).toBe(7);
      seen.push(...runs.edges.map((e) => e.node.id));
      if (!runs.pageInfo.hasNextPage) break;
      after = runs.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());

    const oldest = await t.gql(query, { first: 2, sort: 'OLDEST_FIRST' });
    expect(
      (oldest.body.data!.runs as { edges: Array<{ node: { id: string } }> }).edges.map(
        (e) => e.node.id,
      ),
    ).toEqual(ids.slice(0, 2));

    const failedCalls = await t.gql(query, {
      filter: { crm: 'callrail', entity: 'calls', status: 'failed' },
    });
    expect(
      (
        failedCalls.body.data!.runs as {
          edges: Array<{ node: { id: string; durationSeconds: number } }>;
        }
      ).edges.map((e) => e.node.id),
    ).toEqual([ids[3]]);

    const window = await t.gql(query, {
      filter: {
        startedAfter: new Date(Date.now() - 4 * 3_600_000).toISOString(),
        startedBefore: new Date(Date.now() - 30 * 60_000).toISOString(),
      },
    });
    expect(
      (window.body.data!.runs as { edges: Array<{ node: { id: string } }> }).edges.map(
        (e) => e.node.id,
      ),
    ).toEqual([ids[4], ids[5], ids[3]].sort().reverse());
  });

  it('returns one run with its events, and null for an unknown id', async () => {
    const { body } = await t.gql(
      `query($id: ID!) { run(id: $id) { id status recordsProcessed
      events(first: 10) { edges { node { level message recordId } } } } }`,
      { id: ids[6] },
    );
    expect(body.data!.run).toEqual({
      id: ids[6],
      status: 'running',
      recordsProcessed: 10,
      events: {
        edges: [
          { node: { level: 'info', message: 'page 1 written', recordId: null } },
          {
            node: {
              level: 'warn',
              message: "Validation warning for field 'agent_email'",
              recordId: 'CAL1',
            },
          },
        ],
      },
    });
    const missing = await t.gql(`{ run(id: "nope") { id } }`);
    expect(missing.body.data!.run).toBeNull();
  });

  it('answers the overview cards from the last 24 hours', async () => {
    const { body } = await t.gql(
      '{ overview { activeRuns succeededLast24h partialLast24h failedLast24h successRate } }',
    );
    expect(body.data!.overview).toEqual({
      activeRuns: 1,
      succeededLast24h: 2,
      partialLast24h: 1,
      failedLast24h: 1,
      successRate: 50,
    });
  });

  it('answers the CRM status table with the next scheduled run', async () => {
    const { body } = await t.gql(
      '{ crmStatus { crm status lastRun { id } recordsProcessed durationSeconds lastSyncAt nextScheduledRun } }',
    );
    const [row] = body.data!.crmStatus as Array<Record<string, unknown>>;
    expect(row).toMatchObject({
      crm: 'callrail',
      status: 'running',
      lastRun: { id: ids[6] },
      recordsProcessed: 10,
      durationSeconds: null,
    });
    expect(typeof row!.nextScheduledRun).toBe('string');
  });

  it('lists recent runs newest first', async () => {
    const { body } = await t.gql('{ recentRuns(limit: 3) { id } }');
    expect(body.data!.recentRuns).toEqual([ids[6], ids[5], ids[4]].map((id) => ({ id })));
  });

  it('answers chart series over the last 7 days', async () => {
    const { body } =
      await t.gql(`{ charts { days durationTrend { day value } successRateTrend { day value } runsPerDay { value }
      recordsByCrm { crm value } runsByCrm { crm value } } }`);
    const charts = body.data!.charts as {
      days: number;
      durationTrend: Array<{ day: string; value: number | null }>;
      successRateTrend: Array<{ value: number | null }>;
      runsPerDay: Array<{ value: number }>;
      recordsByCrm: unknown;
      runsByCrm: unknown;
    };
    expect(charts.days).toBe(7);
    expect(charts.durationTrend).toHaveLength(7);
    expect(charts.durationTrend.at(-1)!.day).toBe(new Date().toISOString().slice(0, 10));
    expect(charts.runsPerDay.reduce((n, p) => n + p.value, 0)).toBe(6);
    expect(charts.recordsByCrm).toEqual([
      { crm: 'callrail', value: 340 },
      { crm: 'hubspot', value: 50 },
    ]);
    expect(charts.runsByCrm).toEqual([
      { crm: 'callrail', value: 5 },
      { crm: 'hubspot', value: 1 },
    ]);
    const rated = charts.successRateTrend.filter((p) => p.value !== null);
    expect(rated.length).toBeGreaterThan(0);
    for (const p of rated) expect(p.value).toBeGreaterThanOrEqual(0);
  });

  it('analyses errors: last failures, by kind, CRMs by failure rate', async () => {
    const { body } =
      await t.gql(`{ errorAnalysis { recentFailures { id errorMessage } byKind { kind count }
      failureRateByCrm { crm runs failed failureRate } } }`);
    expect(body.data!.errorAnalysis).toEqual({
      recentFailures: [
        { id: ids[3], errorMessage: 'CallRail refused the API key (401)' },
        { id: ids[0], errorMessage: 'CallRail answered 429 for 10 minutes' },
      ],
      byKind: [
        { kind: 'auth', count: 1 },
        { kind: 'rate_limit', count: 1 },
      ],
      failureRateByCrm: [
        { crm: 'callrail', runs: 5, failed: 2, failureRate: 40 },
        { crm: 'hubspot', runs: 1, failed: 0, failureRate: 0 },
      ],
    });
  });

  it('reports system health: database, scheduler, and each CRM through its health check', async () => {
    await t.api.health.refresh();
    const { body } = await t.gql(
      '{ systemHealth { database { provider reachable latencyMs } scheduler { running message workers { id activeJobs lastSeenAt } } crms { crm configured reachable latencyMs } } }',
    );
    const health = body.data!.systemHealth as {
      database: { provider: string; reachable: boolean; latencyMs: number };
      scheduler: {
        running: boolean;
        workers: Array<{ id: string; activeJobs: number; lastSeenAt: string }>;
      };
      crms: Array<{ crm: string; reachable: boolean }>;
    };
    expect(health.database).toMatchObject({ provider, reachable: true });
    expect(health.database.latencyMs).toBeGreaterThanOrEqual(0);
    expect(health.scheduler.running).toBe(false);
    expect(health.scheduler.workers).toEqual([
      { id: 'worker-a', activeJobs: 1, lastSeenAt: expect.any(String) },
    ]);
    expect(health.crms).toMatchObject([{ crm: 'callrail', configured: true, reachable: true }]);
  });

  it('lists schedules by cursor', async () => {
    const { body } = await t.gql(
      '{ schedules(first: 5, crm: "callrail") { edges { node { id syncType interval enabled } } } }',
    );
    expect(body.data!.schedules).toEqual({
      edges: [
        { node: { id: 'sched-1', syncType: 'calls', interval: '15 minutes', enabled: true } },
      ],
    });
  });
});
