import { fileURLToPath } from 'node:url';
import {
  fakeConfig,
  fakeGuid,
  fakeRow,
  MarketSharpFake,
} from '../../packages/plugin-marketsharp/src/fake-server/index.js';
import { entitySet } from '../../packages/plugin-marketsharp/src/schema.js';
import { marketsharpAuthorization } from '../../packages/plugin-marketsharp/src/hmac.js';
import {
  type BenchContext,
  type BenchSuite,
  describeCpu,
  peakRssGrowth,
  runInChild,
} from '../lib.js';
import { createRequestMetrics, type Logger } from '../../packages/core/src/index.js';
import five9Plugin from '../../packages/plugin-five9/src/index.js';
import {
  Five9Fake,
  fakeContact,
  five9Config,
} from '../../packages/plugin-five9/src/fake-server/index.js';
import salesproPlugin, { type SalesProRun } from '../../packages/plugin-salespro/src/index.js';
import {
  AthenaFake,
  athenaConfig,
  vaultRow,
} from '../../packages/plugin-salespro/src/fake-server/index.js';

// The odd-shaped plugins of issue 26, each beside what bounds it, measured in one run:
// - Five9: 20,000 contacts read whole under getContactRecords' 1,000-record cap: SOAP calls
//   used beside the fewest that could return them (ceil(20,000 / 1,000)).
// - SalesPro: 500,000 estimates through Athena's pages (the plugin's read: query, polls,
//   pages of 1,000, typed values) beside the fake's raw page rate (the same finished query's
//   pages asked again through the SDK, rows left as strings and only counted).
// - MarketSharp: 1,000,000 activities read through the plugin (signed requests, streamed
//   JSON verbose parse, typed values) with the fake's latency off and at 50 ms per request:
//   records/s beside the fake's raw page rate (the same pages fetched and thrown away
//   unparsed), and the read's peak RSS at 100k vs 1M (goal: growth < 50 MB).

const msChild = fileURLToPath(
  new URL('../../packages/plugin-marketsharp/bench/read-child.ts', import.meta.url),
);

/** The fake's own page rate: the same requests, bodies read and dropped. */
async function rawPages(fake: MarketSharpFake, rows: number, top: number) {
  const started = performance.now();
  for (let skip = 0; skip < rows; skip += top) {
    const res = await fetch(
      `${fake.baseUrl}/Activities?$orderby=${encodeURIComponent('id asc')}&$top=${top}&$skip=${skip}`,
      {
        headers: {
          authorization: marketsharpAuthorization(fake.companyId, fake.userKey, fake.secretKey),
          accept: 'application/json;odata=verbose',
        },
      },
    );
    if (!res.body) throw new Error('no body');
    const reader = res.body.getReader();
    while (!(await reader.read()).done) {
      // dropped
    }
  }
  return (performance.now() - started) / 1000;
}

async function marketsharp(ctx: BenchContext) {
  const big = ctx.quick ? 100_000 : 1_000_000;
  const small = big / 10;
  const top = 5000;
  const spec = entitySet('activities');
  const fake = await MarketSharpFake.start({ timeZone: 'UTC', serverPageSize: top });
  const start = Date.UTC(2020, 0, 1);
  // Rows vary in key and stamps; the rest comes from a few templates, so the fake spends its
  // time serving, not building rows.
  const templates = Array.from({ length: 16 }, (_, n) => fakeRow(spec, n + 1, start));
  const setRows = (count: number) =>
    fake.virtual.set('Activities', {
      count,
      start,
      row: (i) => ({
        ...templates[i % 16],
        id: fakeGuid('Activities', i + 1),
        createdDate: start + i * 1000 - 86_400_000,
        lastUpdate: start + i * 1000,
      }),
    });
  const config = { ...fakeConfig(fake), MARKETSHARP_TIMEZONE: 'UTC' };
  try {
    setRows(small);
    const few = await runInChild<{ count: number; seconds: number }>(msChild, {
      config,
      batchSize: top,
    });
    setRows(big);
    const raw = await rawPages(fake, big, top);
    const many = await runInChild<{ count: number; seconds: number; apiCalls: number }>(msChild, {
      config,
      batchSize: top,
    });
    if (few.result.count !== small || many.result.count !== big)
      throw new Error(`marketsharp: read ${few.result.count}/${many.result.count} records`);
    ctx.log(`marketsharp: ${describeCpu(many.cpu)}`);
    const rate = big / many.result.seconds;
    const rawRate = big / raw;
    ctx.report({
      suite: 'odd',
      name: `marketsharp: ${big.toLocaleString('en-US')} activities, latency off`,
      value: rate,
      unit: 'records/s',
      limits: [
        { name: 'fake raw page rate (bodies read, not parsed)', value: rawRate, unit: 'records/s' },
      ],
      ratio: rate / rawRate,
    });
    const { growth, limits } = peakRssGrowth(few, many, small, big);
    ctx.report({
      suite: 'odd',
      name: `marketsharp: peak RSS growth ${small.toLocaleString('en-US')} → ${big.toLocaleString('en-US')} activities`,
      value: growth,
      unit: 'MB',
      limits,
      goal: '< 50 MB',
      met: growth < 50,
    });
    fake.api.latencyMs = 50;
    const slowRaw = await rawPages(fake, big, top);
    const slow = await runInChild<{ count: number; seconds: number }>(msChild, {
      config,
      batchSize: top,
    });
    if (slow.result.count !== big) throw new Error('marketsharp: the 50 ms read lost records');
    ctx.report({
      suite: 'odd',
      name: `marketsharp: ${big.toLocaleString('en-US')} activities, 50 ms per request`,
      value: big / slow.result.seconds,
      unit: 'records/s',
      limits: [{ name: 'fake raw page rate at 50 ms', value: big / slowRaw, unit: 'records/s' }],
      ratio: slowRaw / slow.result.seconds,
    });
  } finally {
    await fake.close();
  }
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** Reads an entity whole through a plugin's own client and fetch, counting records. */
async function readWhole(
  plugin: {
    createClient: (c: never) => unknown;
    closeClient?: (c: never) => Promise<void>;
    entities: Array<{
      name: string;
      fetch: (c: never, r: never) => AsyncIterable<{ records: unknown[] }>;
    }>;
  },
  entity: string,
  config: Record<string, unknown>,
  batchSize: number,
) {
  const metrics = createRequestMetrics();
  const controller = new AbortController();
  const client = await plugin.createClient({
    config,
    logger: quiet,
    metrics,
    signal: controller.signal,
  } as never);
  const definition = plugin.entities.find((e) => e.name === entity);
  if (!definition) throw new Error(`no entity ${entity}`);
  const started = performance.now();
  let count = 0;
  for await (const page of definition.fetch(
    client as never,
    {
      mode: 'full',
      batchSize,
      signal: controller.signal,
      options: {},
      logger: quiet,
    } as never,
  ))
    count += page.records.length;
  const seconds = (performance.now() - started) / 1000;
  await plugin.closeClient?.(client as never);
  return { count, seconds, metrics };
}

async function five9(ctx: BenchContext) {
  const total = ctx.quick ? 5_000 : 20_000;
  const fake = await Five9Fake.start();
  try {
    // Ten-digit numbers spread as real ones are: a few area codes, random subscriber numbers.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const areas = ['215', '267', '484', '610', '302', '856', '609', '717', '412', '570'];
    for (let n = 1; n <= total; n++) {
      const area = areas[Math.floor(random() ** 2 * areas.length)] as string;
      fake.contacts.push(
        fakeContact(
          n,
          `${area}${String(Math.floor(random() * 10_000_000)).padStart(7, '0')}`,
          Date.now(),
        ),
      );
    }
    const config = {
      FIVE9_TIMEOUT_MS: 120_000,
      ...five9Config(fake),
    };
    const read = await readWhole(five9Plugin as never, 'contacts', config, 1000);
    if (read.count !== total) throw new Error(`five9: read ${read.count} of ${total} contacts`);
    const used = fake.lookups.length;
    const minimum = Math.ceil(total / 1000);
    const capped = fake.api.requests.length; // every SOAP call, counters included
    ctx.log(
      `five9: ${used} getContactRecords calls (${capped} SOAP requests in all) in ${read.seconds.toFixed(1)} s`,
    );
    ctx.report({
      suite: 'odd',
      name: `five9: getContactRecords calls for ${total.toLocaleString('en-US')} contacts under the 1,000 cap`,
      value: used,
      unit: 'calls',
      limits: [{ name: 'fewest possible (contacts / 1,000)', value: minimum, unit: 'calls' }],
      ratio: minimum / used,
    });
  } finally {
    await fake.close();
  }
}

async function salespro(ctx: BenchContext) {
  const total = ctx.quick ? 50_000 : 500_000;
  const fake = await AthenaFake.start({ pollsToRun: 2 });
  try {
    const start = Date.UTC(2021, 0, 1);
    for (let from = 0; from < total; from += 10_000)
      fake.insert(
        'estimate',
        Array.from({ length: Math.min(10_000, total - from) }, (_, i) =>
          vaultRow('estimate', from + i + 1, start + (from + i) * 1000),
        ),
      );
    const config = {
      SALESPRO_QUERY_TIMEOUT_MS: 600_000,
      ...athenaConfig(fake),
      SALESPRO_POLL_MS: 50,
    };
    const read = await readWhole(salesproPlugin as never, 'estimates', config, 1000);
    if (read.count !== total) throw new Error(`salespro: read ${read.count} of ${total}`);
    // The raw rate: the same finished query's pages, asked by a bare SDK loop.
    const id = [...fake.executions.keys()].at(-1) as string;
    const run = (await salesproPlugin.createClient({
      config,
      logger: quiet,
      metrics: createRequestMetrics(),
      signal: new AbortController().signal,
    } as never)) as SalesProRun;
    const signal = new AbortController().signal;
    const t = performance.now();
    let rows = 0;
    let token: string | undefined;
    do {
      const page = await run.athena.page(id, 1000, token, signal);
      rows += page.rows.length;
      token = page.nextToken;
    } while (token);
    const rawSeconds = (performance.now() - t) / 1000;
    run.athena.close();
    const rate = total / read.seconds;
    const rawRate = rows / rawSeconds;
    // The query itself (Athena running the SELECT; here SQLite writing its result table) is
    // part of the read but not of the raw page loop: also the rate without it.
    const execution = fake.executions.get(id);
    const querySeconds = execution?.completed
      ? (execution.completed - execution.submitted) / 1000
      : 0;
    ctx.report({
      suite: 'odd',
      name: `salespro: ${total.toLocaleString('en-US')} estimates, paging only (query run time of ${querySeconds.toFixed(1)} s left out)`,
      value: total / (read.seconds - querySeconds),
      unit: 'records/s',
      limits: [{ name: "fake's raw page rate", value: rawRate, unit: 'records/s' }],
      ratio: total / (read.seconds - querySeconds) / rawRate,
    });
    ctx.log(
      `salespro: ${read.metrics.apiCalls} Athena calls; raw loop ${rows} rows in ${rawSeconds.toFixed(1)} s`,
    );
    ctx.report({
      suite: 'odd',
      name: `salespro: ${total.toLocaleString('en-US')} estimates through Athena pages of 1,000`,
      value: rate,
      unit: 'records/s',
      limits: [
        {
          name: "fake's raw page rate (the SDK's GetQueryResults loop, rows left as strings)",
          value: rawRate,
          unit: 'records/s',
        },
      ],
      ratio: rate / rawRate,
    });
  } finally {
    await fake.close();
  }
}

const parts = (process.env.ODD_PARTS ?? 'marketsharp,five9,salespro').split(',');

const suite: BenchSuite = {
  name: 'odd',
  async run(ctx) {
    // ODD_PARTS=five9,salespro runs some of the three (all by default).
    if (parts.includes('five9')) await five9(ctx);
    if (parts.includes('salespro')) await salespro(ctx);
    if (parts.includes('marketsharp')) await marketsharp(ctx);
  },
};

export default suite;
