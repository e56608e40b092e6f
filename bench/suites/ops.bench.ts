import { createServer, type Socket } from 'node:net';
import {
  CORE_CONTRACT_VERSION,
  type CrmPlugin,
  defineCrmPlugin,
} from '../../packages/core/src/index.js';
import { createApiRuntime, noSyncs } from '../../packages/server/src/api/runtime.js';
import { withTimeout } from '../../packages/server/src/api/health-monitor.js';
import { startApiServer } from '../../packages/server/src/api/server.js';
import { openStore, type PrismaStore } from '../../packages/server/src/store/index.js';
import type { TestDatabase } from '../../packages/server/test/store/test-databases.js';
import {
  OVERVIEW,
  OVERVIEW_CHARTS,
  OVERVIEW_ERRORS,
  OVERVIEW_HEALTH,
} from '../../packages/ui/src/lib/queries.js';
import { forEachDatabase } from '../databases.js';
import type { BenchContext, BenchSuite } from '../lib.js';
import { benchPlugins, fillHistory } from './api.bench.js';

// The dashboard overview's full data (its four GraphQL requests, sent at once as the page
// sends them, and the five JSON endpoints) with 1,000,000 history rows and a configured CRM
// that never answers (a TCP server that accepts and stays silent: the worst case, worse than
// a refused connection). Goal: < 1 s. Beside it: how long one health check of that CRM takes,
// i.e. what a page that waited on the CRM would take.

/** A TCP port that accepts connections and never answers. */
async function blackhole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

function silentCrm(port: number): CrmPlugin {
  return defineCrmPlugin({
    contractVersion: CORE_CONTRACT_VERSION,
    name: 'silent',
    displayName: 'Silent CRM',
    kind: 'api',
    config: {},
    entities: [
      {
        name: 'things',
        primaryKey: 'id',
        delta: { kind: 'none' as const },
        fields: { id: { type: 'string' as const } },
        fetch: async function* () {},
      },
    ],
    createClient: () => ({}),
    // A real request to a host that accepts the connection and never answers.
    health: async (_client, signal) => {
      const started = performance.now();
      await fetch(`http://127.0.0.1:${port}/health`, { signal });
      return { ok: true, latencyMs: performance.now() - started };
    },
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function benchDatabase(ctx: BenchContext, name: string, db: TestDatabase, rows: number) {
  const hole = await blackhole();
  const store = await openStore({ databaseUrl: db.url });
  const plugins = [...benchPlugins(), silentCrm(hole.port)];
  const runtimeOn = (on: PrismaStore) =>
    createApiRuntime({
      store: on,
      engine: { subscribe: () => () => {}, syncs: noSyncs('the ops bench starts no sync') },
      plugins: plugins.map((plugin) => ({ plugin, config: {}, configured: true })),
    });
  const serve = (on: PrismaStore) =>
    startApiServer({ runtime: runtimeOn(on), host: '127.0.0.1', port: 0, env: {} });
  const runtime = runtimeOn(store);
  const api = await startApiServer({ runtime, host: '127.0.0.1', port: 0, env: {} });
  const base = api.url.replace(/\/graphql$/, '');
  try {
    const t0 = performance.now();
    await fillHistory(store, rows, Date.now());
    ctx.log(
      `${name}: ${rows.toLocaleString('en-US')} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const post = async (url: string, query: string) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      const body = (await res.json()) as { errors?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
    };
    const overviewAtOnce = (url = api.url) =>
      Promise.all(
        [OVERVIEW, OVERVIEW_CHARTS, OVERVIEW_ERRORS, OVERVIEW_HEALTH].map((q) => post(url, q)),
      );
    const jsonEndpoints = () =>
      Promise.all(
        ['stats', 'crm-status', 'recent-syncs', 'system-health', 'performance-charts'].map(
          async (e) => {
            const res = await fetch(`${base}/api/dashboard/${e}`);
            if (!res.ok) throw new Error(`${e}: ${res.status}`);
            await res.text();
          },
        ),
      );

    // The first page load after the rows were written, while the silent CRM's first check is
    // still in flight (the server started, and warmed up, before the rows were written).
    const first = performance.now();
    await overviewAtOnce();
    const firstMs = performance.now() - first;
    // A server (re)started on the 1,000,000 rows: a new connection with an empty page cache;
    // its first load sent at once (competing with its own warm-up), and on a second restart,
    // once the warm-up is over.
    const restart = async (waitForWarmUp: boolean) => {
      const again = await openStore({ databaseUrl: db.url });
      const server = await serve(again);
      try {
        if (waitForWarmUp) await server.warmedUp;
        const t = performance.now();
        await overviewAtOnce(server.url);
        return performance.now() - t;
      } finally {
        await server.close();
        await again.close();
      }
    };
    const restartAtOnceMs = await restart(false);
    const restartWarmMs = await restart(true);

    // One health check of the silent CRM (bounded by the per-check timeout), as a page that
    // waited on it would wait.
    const silent = runtime.plugins.find((p) => p.plugin.name === 'silent')!;
    const check = performance.now();
    await withTimeout((signal) => silent.health!(signal), api.health.timeoutMs).catch(() => {});
    const checkMs = performance.now() - check;
    // How busy the machine is: a request that does nothing, timed in the same run.
    const idle: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await (await fetch(`${base}/healthz`)).text();
      idle.push(performance.now() - t);
    }
    idle.sort((a, b) => a - b);

    // A Prometheus scrape of `/metrics` (totals over the whole history, last success per pair).
    const scrapes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const res = await fetch(`${base}/metrics`);
      if (!res.ok) throw new Error(`/metrics: ${res.status}`);
      await res.text();
      scrapes.push(performance.now() - t);
    }
    ctx.report({
      suite: 'ops',
      name: `${name}: GET /metrics, ${rows.toLocaleString('en-US')} runs, max of 5 scrapes`,
      value: Math.max(...scrapes),
      unit: 'ms',
      limits: [{ name: 'first scrape', value: scrapes[0]!, unit: 'ms' }],
      goal: '< 1000 ms',
      met: Math.max(...scrapes) < 1_000,
    });

    const iterations = ctx.quick ? 5 : 20;
    for (const [label, work] of [
      ['overview (4 requests at once)', overviewAtOnce],
      ['5 JSON endpoints at once', jsonEndpoints],
    ] as const) {
      await work();
      const times: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const t = performance.now();
        await work();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const p95 = percentile(times, 95);
      ctx.report({
        suite: 'ops',
        name: `${name}: ${label}, ${rows.toLocaleString('en-US')} runs, a CRM that never answers, p95`,
        value: p95,
        unit: 'ms',
        limits: [
          { name: 'p50', value: percentile(times, 50), unit: 'ms' },
          { name: 'first load during the first check', value: firstMs, unit: 'ms' },
          {
            name: 'first load of a server restarted on these rows, sent at once',
            value: restartAtOnceMs,
            unit: 'ms',
          },
          {
            name: 'first load of a server restarted on these rows, after its warm-up',
            value: restartWarmMs,
            unit: 'ms',
          },
          { name: 'one health check of that CRM', value: checkMs, unit: 'ms' },
          { name: 'GET /healthz p50 (machine load)', value: percentile(idle, 50), unit: 'ms' },
        ],
        ratio: p95 / checkMs,
        goal: '< 1000 ms',
        met: p95 < 1_000 && firstMs < 1_000 && restartWarmMs < 1_000,
      });
    }
  } finally {
    await api.close();
    await store.close();
    await hole.close();
  }
}

const suite: BenchSuite = {
  name: 'ops',
  async run(ctx) {
    const rows = ctx.quick ? 50_000 : 1_000_000;
    await forEachDatabase(ctx, (provider, database) =>
      benchDatabase(ctx, provider === 'sqlite' ? 'SQLite' : 'PostgreSQL', database, rows),
    );
  },
};
export default suite;
