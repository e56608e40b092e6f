import { fileURLToPath } from 'node:url';
import {
  fakeConfig,
  fakeGuid,
  fakeRow,
  MarketSharpFake,
} from '../../packages/plugin-marketsharp/src/fake-server/index.js';
import { entitySet } from '../../packages/plugin-marketsharp/src/schema.js';
import { marketsharpAuthorization } from '../../packages/plugin-marketsharp/src/hmac.js';
import { type BenchContext, type BenchSuite, describeCpu, runInChild } from '../lib.js';

// The odd-shaped plugins of issue 26, each beside what bounds it, measured in one run:
// - MarketSharp: 1,000,000 activities read through the plugin (signed requests, streamed
//   JSON verbose parse, typed values) with the fake's latency off and at 50 ms per request:
//   records/s beside the fake's raw page rate (the same pages fetched and thrown away
//   unparsed), and the read's peak RSS at 100k vs 1M (goal: growth < 50 MB).

const MB = 1024 * 1024;
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
    for await (const _ of res.body) {
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
    const growth = (many.maxRssBytes - few.maxRssBytes) / MB;
    ctx.report({
      suite: 'odd',
      name: `marketsharp: peak RSS growth ${small.toLocaleString('en-US')} → ${big.toLocaleString('en-US')} activities`,
      value: growth,
      unit: 'MB',
      limits: [
        {
          name: `peak RSS at ${small.toLocaleString('en-US')}`,
          value: few.maxRssBytes / MB,
          unit: 'MB',
        },
        {
          name: `peak RSS at ${big.toLocaleString('en-US')}`,
          value: many.maxRssBytes / MB,
          unit: 'MB',
        },
      ],
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

const suite: BenchSuite = {
  name: 'odd',
  async run(ctx) {
    await marketsharp(ctx);
  },
};

export default suite;
