import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startFakerServer } from '@crmsync/plugin-faker';
import { type BenchContext, type BenchSuite, describeCpu, median, runInChild } from '../lib.js';
import type { CoreChildArgs, CoreChildResult } from './core.child.js';

// The engine end to end (faker API over HTTP -> map -> validate -> hash -> MemoryStore) beside
// the two limits that bound it, measured in the same run on the same data, each in a fresh
// process while this process serves the faker API (so the CRM's CPU is not the engine's):
// - fetch limit: the plugin's HTTP pages read and parsed, nothing else done with them;
// - write limit: the same records, already mapped and hashed, written to a MemoryStore.
// The engine fetches the next page while it writes the current one, so it should run near the
// slower limit (goal: >= 0.8 of it). Then the engine's peak RSS at a small and a 10x larger
// sync, as dry runs (a MemoryStore would keep every record and measure itself, not the engine).
// The machine is shared and one run can be 30% off the next minutes later (measured), so the
// ratio is taken per round, from runs made back to back, and the median of five rounds is the
// figure.

const BATCH = 500;
const MB = 1024 * 1024;
const child = fileURLToPath(new URL('./core.child.ts', import.meta.url));
const fmt = (n: number) => n.toLocaleString('en-US');

async function measure(count: number, mode: CoreChildArgs['mode']) {
  const api = await startFakerServer({
    size: count,
    seed: 7,
    changesPerMinute: 0,
    maxPageSize: 1_000,
  });
  try {
    return await runInChild<CoreChildResult>(child, {
      mode,
      baseUrl: api.url,
      token: api.token,
      count,
      batchSize: BATCH,
    } satisfies CoreChildArgs);
  } finally {
    await api.close();
  }
}

/**
 * `rounds` rounds of the three modes back to back. Each round gives its own ratio (engine vs
 * the slower limit measured minutes, not hours, apart); the figure is the median of those
 * ratios, and each rate the median of its rounds. Taking the best of each mode instead picks
 * the limit and the engine from different load periods of a shared machine (seen: a "0.97"
 * that was one quiet engine run against two busy fetch runs).
 */
async function throughput(ctx: BenchContext, count: number, rounds: number) {
  const rates = { fetch: [] as number[], write: [] as number[], sync: [] as number[] };
  const ratios: number[] = [];
  let lastSync: CoreChildResult | undefined;
  for (let round = 1; round <= rounds; round++) {
    // Alternate which of the two close figures goes first, so a drifting load does not always
    // favour the same one.
    const order =
      round % 2 ? (['fetch', 'sync', 'write'] as const) : (['sync', 'fetch', 'write'] as const);
    const seconds = new Map<CoreChildArgs['mode'], number>();
    for (const mode of order) {
      const { result: r, cpu } = await measure(count, mode);
      if (r.records !== count) throw new Error(`${mode}: ${r.records} of ${count} records`);
      seconds.set(mode, r.seconds);
      rates[mode as keyof typeof rates].push(r.records / r.seconds);
      if (mode === 'sync') lastSync = r;
      // A write child's CPU is mostly its untimed preparation: not worth printing.
      const used = mode === 'write' ? '' : `; ${describeCpu(cpu)}`;
      ctx.log(
        `round ${round} ${mode}: ${r.seconds.toFixed(2)} s (load average ${loadavg()[0]?.toFixed(1)}${used})`,
      );
    }
    const slower = Math.max(seconds.get('fetch') ?? Number.NaN, seconds.get('write') ?? Number.NaN);
    const ratio = slower / (seconds.get('sync') ?? Number.NaN);
    ratios.push(ratio);
    ctx.log(`round ${round}: engine at ${ratio.toFixed(2)} of the slower limit`);
  }
  if (lastSync) {
    ctx.log(
      `last engine run waited ${lastSync.fetchMs} ms on pages and ${lastSync.writeMs} ms on writes (${lastSync.pages} pages)`,
    );
  }
  const fetchRate = median(rates.fetch);
  const writeRate = median(rates.write);
  const rate = median(rates.sync);
  const ratio = median(ratios);
  ctx.log(
    `medians of ${rounds} rounds: fetch + parse ${fmt(Math.round(fetchRate))}/s, write ${fmt(Math.round(writeRate))}/s, engine ${fmt(Math.round(rate))}/s; ratio ${ratio.toFixed(2)} (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
  );
  ctx.report({
    suite: 'core',
    name: `engine sync of ${fmt(count)} faker contacts into MemoryStore (batch ${BATCH})`,
    value: rate,
    unit: 'records/s',
    limits: [
      { name: 'fetch + parse only', value: fetchRate, unit: 'records/s' },
      { name: 'MemoryStore write only', value: writeRate, unit: 'records/s' },
    ],
    ratio,
    goal: '>= 0.8 of the slower limit (median of per-round ratios)',
    met: ratio >= 0.8,
  });
}

async function memory(ctx: BenchContext, small: number, large: number) {
  const peaks: number[] = [];
  for (const count of [small, large]) {
    const { result, maxRssBytes } = await measure(count, 'dry-sync');
    if (result.records !== count) throw new Error(`dry run read ${result.records} of ${count}`);
    ctx.log(
      `dry-run sync of ${fmt(count)} records: ${result.seconds.toFixed(1)} s, peak RSS ${(maxRssBytes / MB).toFixed(1)} MB`,
    );
    peaks.push(maxRssBytes);
  }
  const [before = 0, after = 0] = peaks;
  const growth = (after - before) / MB;
  ctx.report({
    suite: 'core',
    name: `engine peak RSS growth, dry-run sync of ${fmt(small)} → ${fmt(large)} records`,
    value: growth,
    unit: 'MB',
    limits: [
      { name: `peak RSS at ${fmt(small)}`, value: before / MB, unit: 'MB' },
      { name: `peak RSS at ${fmt(large)}`, value: after / MB, unit: 'MB' },
    ],
    goal: '< 50 MB growth',
    met: growth < 50,
  });
}

const suite: BenchSuite = {
  name: 'core',
  async run(ctx) {
    const large = ctx.quick ? 20_000 : 200_000;
    const small = ctx.quick ? 2_000 : 20_000;
    await throughput(ctx, large, ctx.quick ? 1 : 5);
    await memory(ctx, small, large);
  },
};

export default suite;
