import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScheduler } from '../scheduler/index.js';
import { seedRuns } from '../../test/api/test-seed.js';
import { startTestApi, type TestApi, testProviders } from '../../test/api/test-support.js';

const providers = await testProviders();

describe.each(providers)('operator endpoints on %s', (provider) => {
  let t: TestApi;
  let base: string;

  beforeAll(async () => {
    t = await startTestApi({ provider });
    base = t.api.url.replace(/\/graphql$/, '');
    await seedRuns(t.store.prisma, [
      {
        crm: 'callrail',
        entity: 'calls',
        status: 'success',
        startedMinutesAgo: 90,
        processed: 200,
        created: 20,
        updated: 180,
        durationSeconds: 30,
      },
      {
        crm: 'callrail',
        entity: 'calls',
        status: 'failed',
        startedMinutesAgo: 80,
        errorKind: 'auth',
        errorMessage: 'CallRail refused the API key (401)',
      },
      {
        crm: 'callrail',
        entity: 'calls',
        status: 'failed',
        startedMinutesAgo: 70,
        errorKind: 'auth',
        errorMessage: 'CallRail refused the API key (401)',
      },
      {
        crm: 'callrail',
        entity: 'calls',
        status: 'failed',
        startedMinutesAgo: 60,
        errorKind: 'auth',
        errorMessage: 'CallRail refused the API key (401)',
      },
      {
        crm: 'callrail',
        entity: 'companies',
        status: 'failed',
        startedMinutesAgo: 50,
        processed: 140,
        errorKind: 'cancelled',
        errorMessage: 'cancelled: by a person',
      },
      {
        crm: 'hubspot',
        entity: 'contacts',
        status: 'success',
        startedMinutesAgo: 40,
        processed: 50,
        created: 10,
        updated: 40,
        failed: 2,
      },
    ]);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, { headers });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it('answers /healthz, and /readyz with each check; a missing migration makes it 503', async () => {
    const live = await get('/healthz');
    expect(live.status).toBe(200);
    expect(JSON.parse(live.text)).toMatchObject({ status: 'ok', timestamp: expect.any(String) });

    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    const body = JSON.parse(ready.text) as {
      status: string;
      checks: Array<{ name: string; ok: boolean; message: string }>;
    };
    expect(body.status).toBe('ready');
    expect(body.checks.map((c) => [c.name, c.ok])).toEqual([
      ['database', true],
      ['migrations', true],
      ['scheduler', true],
    ]);

    const [newest] = await t.store.prisma.$queryRawUnsafe<Array<{ name: string }>>(
      'SELECT name FROM "_crmsync_migrations" ORDER BY name DESC LIMIT 1',
    );
    await t.store.prisma.$executeRawUnsafe(
      `DELETE FROM "_crmsync_migrations" WHERE name = '${newest!.name}'`,
    );
    try {
      const notReady = await get('/readyz');
      expect(notReady.status).toBe(503);
      expect(notReady.text).toContain(`not applied: ${newest!.name}`);
    } finally {
      await t.store.prisma.$executeRawUnsafe(
        `INSERT INTO "_crmsync_migrations" (name, checksum, applied_at) VALUES ('${newest!.name}', 'x', '2026-01-01')`,
      );
    }
  });

  it('/readyz: a process meant to run the jobs is not ready while its scheduler is stopped', async () => {
    const scheduler = await startScheduler({
      app: t.app,
      kind: 'worker',
      processJobs: true,
      mirror: false,
      reapEveryMs: 60_000,
    });
    const before = t.runtime.schedulerHealth;
    t.runtime.schedulerHealth = scheduler.health;
    try {
      const running = await get('/readyz');
      expect(running.status, running.text).toBe(200);
      expect(JSON.parse(running.text).warnings).toEqual([]);
      await scheduler.stop();
      const stopped = await get('/readyz');
      expect(stopped.status, stopped.text).toBe(503);
      const body = JSON.parse(stopped.text) as {
        checks: Array<{ name: string; ok: boolean; message: string }>;
      };
      expect(body.checks.find((c) => c.name === 'scheduler')).toMatchObject({
        ok: false,
        message: expect.stringMatching(/no worker has sent a heartbeat/),
      });
    } finally {
      await scheduler.stop();
      if (before) t.runtime.schedulerHealth = before;
      else delete t.runtime.schedulerHealth;
    }
  }, 60_000);

  it('serves /metrics that a Prometheus text parser reads: runs, records, last success, lag', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    const families = new Map(parsePrometheusTextFormat(res.text).map((f) => [f.name, f]));
    const value = (name: string, labels: Record<string, string>) =>
      Number(
        families
          .get(name)
          ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
          ?.value,
      );
    expect(families.get('crmsync_runs')?.type).toBe('GAUGE');
    expect(value('crmsync_runs', { crm: 'callrail', entity: 'calls', status: 'failed' })).toBe(3);
    expect(value('crmsync_runs', { crm: 'callrail', entity: 'calls', status: 'success' })).toBe(1);
    expect(
      value('crmsync_runs', { crm: 'callrail', entity: 'companies', status: 'cancelled' }),
    ).toBe(1);
    expect(
      value('crmsync_records', { crm: 'hubspot', entity: 'contacts', outcome: 'failed' }),
    ).toBe(2);
    expect(value('crmsync_records', { crm: 'callrail', entity: 'calls', outcome: 'updated' })).toBe(
      180,
    );
    const success = value('crmsync_last_success_timestamp_seconds', {
      crm: 'callrail',
      entity: 'calls',
    });
    expect(Math.abs(success - (Date.now() - 90 * 60_000 + 30_000) / 1_000)).toBeLessThan(60);
    expect(value('crmsync_scheduler_lag_seconds', {})).toBe(0);
    expect(families.get('crmsync_run_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(families.has('crmsync_request_retries_total')).toBe(true);
    expect(families.has('crmsync_rate_limit_waits_total')).toBe(true);
  });

  it('serves the five JSON endpoints with a timestamp, from the same queries as GraphQL', async () => {
    const json = async (name: string) => {
      const res = await get(`/api/dashboard/${name}`);
      expect(res.status, name).toBe(200);
      const body = JSON.parse(res.text) as Record<string, unknown>;
      expect(Date.parse(body.timestamp as string), name).not.toBeNaN();
      // biome-ignore lint/suspicious/noExplicitAny: JSON bodies, checked field by field below
      return body as Record<string, any>;
    };
    const stats = await json('stats');
    const { body } = await t.gql<{ overview: Record<string, number | null> }>(
      '{ overview { activeRuns succeededLast24h failedLast24h cancelledLast24h successRate } }',
    );
    expect(stats.overview).toEqual({
      active_syncs: body.data!.overview.activeRuns,
      completed_today: body.data!.overview.succeededLast24h,
      partial_today: 0,
      failed_today: body.data!.overview.failedLast24h,
      cancelled_today: body.data!.overview.cancelledLast24h,
      success_rate: body.data!.overview.successRate,
    });
    // The cancelled run is neither a failure nor in the rate: 2 successes of 5 runs.
    expect(stats.overview).toMatchObject({ failed_today: 3, cancelled_today: 1, success_rate: 40 });

    const crms = await json('crm-status');
    expect(crms.crms).toEqual([
      expect.objectContaining({
        crm: 'callrail',
        name: 'CallRail',
        status: 'cancelled',
        records_processed: 140,
      }),
    ]);
    const recent = await json('recent-syncs');
    expect(recent.total).toBe(6);
    expect(recent.syncs[0]).toMatchObject({
      crm_source: 'hubspot',
      sync_type: 'contacts',
      status: 'success',
      records_failed: 2,
    });
    expect(recent.syncs[1]).toMatchObject({ status: 'cancelled', error_kind: 'cancelled' });

    const health = await json('system-health');
    expect(health.database).toMatchObject({ status: 'healthy', provider });
    expect(health.event_bus).toMatchObject({ kind: 'in-process', status: 'healthy' });
    expect(health.crms[0]).toMatchObject({ name: 'callrail', configured: true });

    const charts = await json('performance-charts');
    expect(charts.success_rate_trend.labels).toHaveLength(7);
    expect(charts.records_by_crm).toEqual({ labels: ['callrail', 'hubspot'], data: [340, 50] });

    const failures = await json('failures');
    expect(failures.groups).toEqual([
      expect.objectContaining({
        crm: 'callrail',
        kind: 'auth',
        count: 3,
        message: 'CallRail refused the API key (401)',
      }),
    ]);

    const unknown = await get('/api/dashboard/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('/api/dashboard/stats');
    const post = await fetch(`${base}/api/dashboard/stats`, { method: 'POST' });
    expect(post.status).toBe(405);
  });
});

describe('operator endpoints with an API token', () => {
  let t: TestApi;
  let base: string;

  beforeAll(async () => {
    t = await startTestApi({ provider: 'sqlite', apiToken: 'ops-token-5b1e' });
    base = t.api.url.replace(/\/graphql$/, '');
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('refuses /metrics and the JSON endpoints without the token; the probes stay open', async () => {
    for (const path of ['/metrics', '/api/dashboard/stats', '/api/dashboard/system-health']) {
      const refused = await fetch(base + path);
      expect(refused.status, path).toBe(401);
      const bearer = await fetch(base + path, {
        headers: { authorization: 'Bearer ops-token-5b1e' },
      });
      expect(bearer.status, path).toBe(200);
      const cookie = await fetch(base + path, {
        headers: { cookie: 'crmsync_token=ops-token-5b1e' },
      });
      expect(cookie.status, path).toBe(200);
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    // The curl recipe of the README: a GET query needs the CSRF header.
    const query = encodeURIComponent('{ overview { activeRuns } }');
    const noCsrf = await fetch(`${base}/graphql?query=${query}`, {
      headers: { authorization: 'Bearer ops-token-5b1e' },
    });
    expect(noCsrf.status).toBe(403);
    const withCsrf = await fetch(`${base}/graphql?query=${query}`, {
      headers: { authorization: 'Bearer ops-token-5b1e', 'x-crmsync-csrf': '1' },
    });
    expect(withCsrf.status).toBe(200);
  });
});
