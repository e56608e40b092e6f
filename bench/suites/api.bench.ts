import {
  CORE_CONTRACT_VERSION,
  type CrmPlugin,
  defineCrmPlugin,
  type RunEvent,
  type RunEventListener,
} from '../../packages/core/src/index.js';
import {
  createApiRuntime,
  noSyncs,
  type RuntimeEngine,
} from '../../packages/server/src/api/runtime.js';
import { startApiServer } from '../../packages/server/src/api/server.js';
import { openStore, Prisma, type PrismaStore } from '../../packages/server/src/store/index.js';
import type { TestDatabase } from '../../packages/server/test/store/test-databases.js';
import { createRequire } from 'node:module';
import type * as GraphqlWs from 'graphql-ws';
import type WsTypes from 'ws';
import { forEachDatabase } from '../databases.js';
import type { BenchContext, BenchSuite } from '../lib.js';

// The clients are the server package's dependencies, not the workspace root's.
const serverRequire = createRequire(new URL('../../packages/server/package.json', import.meta.url));
const { createClient } = serverRequire('graphql-ws') as typeof GraphqlWs;
const WebSocket = serverRequire('ws') as typeof WsTypes;

// The dashboard's queries over HTTP against a large sync_history (1,000,000 runs over a year,
// 10 CRMs x 8 entities; BENCH_QUICK=1: 50,000), and the delay from an engine progress event to
// a graphql-ws subscriber. Rows are generated inside the database (one INSERT … SELECT), with
// ids ordered like the store's UUIDv7 run ids.

const CRMS = 10;
const ENTITIES = 8;
const YEAR_MS = 365 * 86_400_000;
const QUERIES = {
  overview: '{ overview { activeRuns succeededLast24h partialLast24h failedLast24h successRate } }',
  crmStatus:
    '{ crmStatus { crm status lastSyncAt recordsProcessed recordsCreated recordsUpdated durationSeconds nextScheduledRun } }',
  charts:
    '{ charts { durationTrend { day value } successRateTrend { day value } recordsByCrm { crm value } runsByCrm { crm value } } }',
  errorAnalysis:
    '{ errorAnalysis { recentFailures { id errorMessage } byKind { kind count } failureRateByCrm { crm failureRate } } }',
  recentRuns:
    '{ recentRuns(limit: 20) { id crmSource syncType status durationSeconds recordsProcessed } }',
  'runs page (failed of one CRM)':
    '{ runs(first: 50, filter: { crm: "crm3", status: failed }) { edges { node { id startTime } } pageInfo { endCursor } } }',
};

export function benchPlugins(): CrmPlugin[] {
  return Array.from({ length: CRMS }, (_, c) =>
    defineCrmPlugin({
      contractVersion: CORE_CONTRACT_VERSION,
      name: `crm${c}`,
      displayName: `CRM ${c}`,
      kind: 'api',
      config: {},
      entities: Array.from({ length: ENTITIES }, (_, e) => ({
        name: `entity${e}`,
        primaryKey: 'id',
        delta: { kind: 'none' as const },
        fields: { id: { type: 'string' as const } },
        fetch: async function* () {},
      })),
      createClient: () => ({}),
    }),
  );
}

/** Emits engine events the way the engine does; the bench runs no sync. */
class EventSource implements RuntimeEngine {
  readonly #listeners = new Set<RunEventListener>();
  subscribe(listener: RunEventListener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  emit(event: RunEvent) {
    for (const l of this.#listeners) l(event);
  }
  readonly syncs = noSyncs('the API bench starts no sync');
}

export async function fillHistory(store: PrismaStore, rows: number, now: number): Promise<void> {
  const step = Math.floor(YEAR_MS / rows);
  // Per row i: start spread evenly over the past year (newest last); status by a fixed
  // pseudo-random pattern: 85% success, 5% partial, 10% failed; the last 3 still running.
  if (store.provider === 'sqlite') {
    await store.prisma.$executeRaw(Prisma.sql`
      INSERT INTO sync_history (id, crm_source, sync_type, status, mode, "trigger", dry_run, start_time,
        end_time, records_processed, records_created, records_updated, error_kind, error_message,
        configuration, lease_ms)
      WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ${rows - 1})
      SELECT printf('%012x-7000-8000-%012x', start, i), 'crm' || (i % ${CRMS}),
        'entity' || ((i / ${CRMS}) % ${ENTITIES}), st, 'delta', 'schedule', 0, start,
        CASE WHEN st = 'running' THEN NULL ELSE start + (30 + (i * 31) % 600) * 1000 END,
        (i * 131) % 5000, (i * 17) % 100, (i * 131) % 5000 - (i * 17) % 100,
        CASE WHEN st = 'failed' THEN (CASE (i * 13) % 4 WHEN 0 THEN 'auth' WHEN 1 THEN 'rate_limit' WHEN 2 THEN 'transient' ELSE 'system' END) END,
        CASE WHEN st = 'failed' THEN 'failed on page ' || (i % 50) END,
        '{}', 600000
      FROM (SELECT i, ${now} - (${rows} - i) * ${step} AS start,
        CASE WHEN i >= ${rows - 3} THEN 'running' WHEN (i * 7919) % 100 < 85 THEN 'success'
             WHEN (i * 7919) % 100 < 90 THEN 'partial' ELSE 'failed' END AS st FROM seq)`);
    await store.prisma.$executeRawUnsafe('ANALYZE');
    return;
  }
  await store.prisma.$executeRaw(Prisma.sql`
    INSERT INTO sync_history (id, crm_source, sync_type, status, mode, "trigger", dry_run, start_time,
      end_time, records_processed, records_created, records_updated, error_kind, error_message,
      configuration, lease_ms)
    SELECT lpad(to_hex(start), 12, '0') || '-7000-8000-' || lpad(to_hex(i), 12, '0'),
      'crm' || (i % ${CRMS}), 'entity' || ((i / ${CRMS}) % ${ENTITIES}), st, 'delta', 'schedule', false,
      to_timestamp(start / 1000.0) AT TIME ZONE 'UTC',
      CASE WHEN st = 'running' THEN NULL ELSE to_timestamp((start + (30 + (i * 31) % 600) * 1000) / 1000.0) AT TIME ZONE 'UTC' END,
      (i * 131) % 5000, (i * 17) % 100, (i * 131) % 5000 - (i * 17) % 100,
      CASE WHEN st = 'failed' THEN (CASE (i * 13) % 4 WHEN 0 THEN 'auth' WHEN 1 THEN 'rate_limit' WHEN 2 THEN 'transient' ELSE 'system' END) END,
      CASE WHEN st = 'failed' THEN 'failed on page ' || (i % 50) END,
      '{}'::jsonb, 600000
    FROM (SELECT i, ${now}::bigint - (${rows}::bigint - i) * ${step} AS start,
      CASE WHEN i >= ${rows - 3} THEN 'running' WHEN (i * 7919) % 100 < 85 THEN 'success'
           WHEN (i * 7919) % 100 < 90 THEN 'partial' ELSE 'failed' END AS st
      FROM generate_series(0, ${rows - 1}::bigint) AS i) s`);
  await store.prisma.$executeRawUnsafe('ANALYZE sync_history');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function benchDatabase(
  ctx: BenchContext,
  name: string,
  database: TestDatabase,
  rows: number,
) {
  const store = await openStore({ databaseUrl: database.url });
  const engine = new EventSource();
  const api = await startApiServer({
    runtime: createApiRuntime({
      store,
      engine,
      plugins: benchPlugins().map((plugin) => ({ plugin, config: {}, configured: true })),
    }),
    host: '127.0.0.1',
    port: 0,
    env: {},
  });
  try {
    const started = performance.now();
    await fillHistory(store, rows, Date.now());
    ctx.log(
      `${name}: ${rows.toLocaleString('en-US')} sync_history rows in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const post = async (query: string) => {
      const res = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      const body = (await res.json()) as { errors?: unknown };
      if (body.errors) throw new Error(`${query}: ${JSON.stringify(body.errors)}`);
    };
    const iterations = ctx.quick ? 40 : 200;
    for (const [label, query] of Object.entries(QUERIES)) {
      for (let i = 0; i < 5; i++) await post(query);
      const times: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const t0 = performance.now();
        await post(query);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const p95 = percentile(times, 95);
      ctx.report({
        suite: 'api',
        name: `${name}: ${label} over HTTP, ${rows.toLocaleString('en-US')} runs, p95`,
        value: p95,
        unit: 'ms',
        limits: [{ name: 'p50', value: percentile(times, 50), unit: 'ms' }],
        goal: '< 100 ms',
        met: p95 < 100,
      });
    }

    ctx.report({
      suite: 'api',
      name: `${name}: runProgress event to graphql-ws client, p95`,
      ...(await subscriptionLatency(api.wsUrl, engine, ctx.quick ? 100 : 500)),
      unit: 'ms',
      goal: '< 50 ms',
    });
  } finally {
    await api.close();
    await store.close();
  }
}

async function subscriptionLatency(wsUrl: string, engine: EventSource, count: number) {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((r) => {
    resolveAll = r;
  });
  const dispose = client.subscribe<{ runProgress: { pages: number } }>(
    {
      query:
        'subscription { runProgress(crm: "crm1") { runId recordsProcessed recordsPerSecond pages } }',
    },
    {
      next: (result) => {
        const seq = result.data?.runProgress.pages ?? -1;
        const sent = sentAt.get(seq);
        if (sent !== undefined) latencies.push(performance.now() - sent);
        if (latencies.length === count) resolveAll();
      },
      error: (e) => console.error(e),
      complete: () => {},
    },
  );
  await new Promise((r) => setTimeout(r, 300));
  for (let seq = 0; seq < count; seq++) {
    sentAt.set(seq, performance.now());
    engine.emit({
      type: 'run-progress',
      runId: 'bench-run',
      crmSource: 'crm1',
      syncType: 'entity1',
      counts: {
        processed: seq * 100,
        created: seq * 10,
        updated: seq * 90,
        unchanged: 0,
        deleted: 0,
        failed: 0,
      },
      estimatedTotal: count * 100,
      recordsPerSecond: 1_000,
      pages: seq,
      at: new Date(),
    });
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.race([all, new Promise((r) => setTimeout(r, 10_000))]);
  dispose();
  await client.dispose();
  latencies.sort((a, b) => a - b);
  const p95 = percentile(latencies, 95);
  return {
    value: p95,
    limits: [
      { name: 'p50', value: percentile(latencies, 50), unit: 'ms' },
      { name: 'received', value: latencies.length, unit: `of ${count}` },
    ],
    met: p95 < 50 && latencies.length === count,
  };
}

const suite: BenchSuite = {
  name: 'api',
  async run(ctx) {
    const rows = ctx.quick ? 50_000 : 1_000_000;
    await forEachDatabase(ctx, (provider, database) =>
      benchDatabase(ctx, provider, database, rows),
    );
  },
};

export default suite;
