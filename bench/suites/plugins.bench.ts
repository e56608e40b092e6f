import {
  createRequestMetrics,
  type Logger,
  MemoryStore,
  SyncEngine,
} from '../../packages/core/src/index.js';
import { GeniusClient } from '../../packages/plugin-genius/src/client.js';
import { jobChangeOrders } from '../../packages/plugin-genius/src/entities/job_change_orders.js';
import geniusPlugin from '../../packages/plugin-genius/src/index.js';
import {
  GeniusTestDatabase,
  mariadbUnreachable,
} from '../../packages/plugin-genius/src/fake-server/index.js';
import { CallRailClient } from '../../packages/plugin-callrail/src/client.js';
import { calls } from '../../packages/plugin-callrail/src/entities/calls.js';
import { CallRailFakeServer } from '../../packages/plugin-callrail/src/fake-server/index.js';
import { createCallRailTransport } from '../../packages/plugin-callrail/src/transport.js';
import type { BenchContext, BenchSuite } from '../lib.js';
import { dryRunRssGrowth, rawStreamedSelect } from './genius-limits.js';

// Plugins of different shapes, each beside the limit that bounds it, measured in the same run:
// - Genius: keyset-paged reads of a change-orders table vs MariaDB's own streamed SELECT of
//   the same rows; peak RSS of the plugin's stream at 100k vs 1M rows (goal: < 50 MB growth).
// - CallRail: requests/s the client sustains against the fake's hourly limit (window shrunk).

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const TZ = 'UTC';
const BATCH = 5_000;

async function pluginRead(url: string): Promise<{ rows: number; seconds: number }> {
  const client = GeniusClient.connect({
    url,
    timeZone: TZ,
    poolSize: 1,
    logger: quiet,
    metrics: createRequestMetrics(),
  });
  const started = performance.now();
  let rows = 0;
  try {
    const request = {
      mode: 'full' as const,
      batchSize: BATCH,
      signal: new AbortController().signal,
      options: {},
      logger: quiet,
    };
    for await (const page of jobChangeOrders.fetch(client, request)) rows += page.records.length;
  } finally {
    await client.close();
  }
  return { rows, seconds: (performance.now() - started) / 1000 };
}

async function genius(ctx: BenchContext): Promise<void> {
  const unreachable = await mariadbUnreachable();
  if (unreachable) {
    ctx.log(`genius: skipped — ${unreachable}`);
    return;
  }
  const big = ctx.quick ? 100_000 : 1_000_000;
  const small = ctx.quick ? 10_000 : 100_000;
  const db = await GeniusTestDatabase.create({ timeZone: TZ, size: 5 });
  try {
    let t = performance.now();
    await db.fillChangeOrders(big);
    ctx.log(
      `genius: ${big.toLocaleString('en-US')} change orders generated in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const raw = await rawStreamedSelect(db.url);
    const plugin = await pluginRead(db.url);
    if (plugin.rows !== big || raw.rows !== big)
      throw new Error(`read ${plugin.rows} / ${raw.rows} of ${big} rows`);
    const rawRate = raw.rows / raw.seconds;
    const rate = plugin.rows / plugin.seconds;
    ctx.report({
      suite: 'plugins',
      name: `genius keyset read, ${big.toLocaleString('en-US')} change orders (batch ${BATCH})`,
      value: rate,
      unit: 'records/s',
      limits: [
        { name: 'MariaDB streamed SELECT of the same rows', value: rawRate, unit: 'rows/s' },
      ],
      ratio: rate / rawRate,
      goal: '>= 0.5 of the raw streamed SELECT',
      met: rate / rawRate >= 0.5,
    });

    // The whole pipeline: fetch → map → validate → bulk upsert into the in-memory store.
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, progressIntervalMs: 0 });
    const run = await engine.runEntity({
      plugin: geniusPlugin,
      entity: 'job_change_orders',
      config: { GENIUS_DATABASE_URL: db.url, GENIUS_TIMEZONE: TZ, GENIUS_POOL_SIZE: 1 },
      options: { batchSize: BATCH },
    });
    if (run.status !== 'success' || run.counts.created !== big) {
      throw new Error(
        `engine run ${run.status}: ${run.counts.created} of ${big} (${run.errorMessage})`,
      );
    }
    const engineRate = run.performanceMetrics?.recordsPerSecond ?? 0;
    ctx.report({
      suite: 'plugins',
      name: `genius → SyncEngine → MemoryStore, ${big.toLocaleString('en-US')} change orders`,
      value: engineRate,
      unit: 'records/s',
      limits: [
        { name: 'MariaDB streamed SELECT of the same rows', value: rawRate, unit: 'rows/s' },
        { name: 'plugin keyset read alone', value: rate, unit: 'records/s' },
      ],
      ratio: engineRate / rawRate,
    });
    await store.close();

    t = performance.now();
    const args = { url: db.url, timeZone: TZ, batchSize: BATCH };
    const { growth, limits } = await dryRunRssGrowth(args, small, big);
    ctx.report({
      suite: 'plugins',
      name: `genius peak RSS growth ${small.toLocaleString('en-US')} → ${big.toLocaleString('en-US')} rows (engine --dry-run)`,
      value: growth,
      unit: 'MB',
      limits,
      goal: '< 50 MB',
      met: growth < 50,
    });
    ctx.log(`genius: RSS children took ${((performance.now() - t) / 1000).toFixed(1)} s`);
  } finally {
    await db.drop();
  }
}

/**
 * CallRail allows 1,000 requests per hour. An hour is shrunk to `windowMs` and the limit by
 * the same factor as the count, keeping the limit's rate (`limit / windowMs`) below what two
 * sequential page streams can send at 50 ms latency (40 req/s), so the client's pacing, not
 * the latency, is what the figure measures.
 */
async function callrail(ctx: BenchContext): Promise<void> {
  const windowMs = ctx.quick ? 3_000 : 6_000;
  const limit = ctx.quick ? 50 : 100;
  const runMs = windowMs * (ctx.quick ? 2 : 3);
  const fake = await CallRailFakeServer.start({
    size: 2_000,
    latencyMs: 50,
    hourlyLimit: limit,
    hourMs: windowMs,
  });
  const metrics = createRequestMetrics();
  const client = new CallRailClient({
    baseUrl: fake.baseUrl,
    accountId: fake.accountId,
    transport: createCallRailTransport({
      apiKey: fake.apiKey,
      baseUrl: `${fake.baseUrl}/a/${fake.accountId}`,
      quotas: [{ limit, windowMs }],
      metrics,
      logger: quiet,
    }),
  });
  const stop = new AbortController();
  const started = performance.now();
  const stream = async () => {
    const request = {
      mode: 'full' as const,
      batchSize: 1,
      signal: stop.signal,
      options: {},
      logger: quiet,
    };
    try {
      for await (const _page of calls.fetch(client, request)) {
        if (performance.now() - started >= runMs) break;
      }
    } catch (error) {
      if (!stop.signal.aborted) throw error;
    }
  };
  const timer = setTimeout(() => stop.abort(), runMs);
  try {
    await Promise.all([stream(), stream()]);
  } finally {
    clearTimeout(timer);
    await fake.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const ok = fake.requests.filter((r) => r.status === 200).length;
  const limited = fake.requests.filter((r) => r.status === 429).length;
  const rate = ok / seconds;
  const limitRate = limit / (windowMs / 1000);
  ctx.report({
    suite: 'plugins',
    name: `callrail request rate, 50 ms latency (hour shrunk to ${windowMs / 1000} s, limit ${limit})`,
    value: rate,
    unit: 'req/s',
    limits: [
      { name: 'documented limit, same shrink', value: limitRate, unit: 'req/s' },
      { name: '429s answered', value: limited, unit: 'requests' },
    ],
    ratio: rate / limitRate,
    goal: '>= 0.85 of the limit with no 429',
    met: rate / limitRate >= 0.85 && limited === 0,
  });
}

const suite: BenchSuite = {
  name: 'plugins',
  async run(ctx) {
    await genius(ctx);
    await callrail(ctx);
  },
};

export default suite;
