import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Logger,
  MemoryStore,
  openWriteSession,
  pushChanges,
  recordEdits,
  type Store,
  SyncEngine,
  threeWayMerge,
} from '../../packages/core/src/index.js';
import { startFakeHubspot } from '../../packages/plugin-hubspot/src/fake-server/index.js';
import hubspotPlugin from '../../packages/plugin-hubspot/src/index.js';
import { openStore } from '../../packages/server/src/store/open-store.js';
import type { FakeZohoOptions } from '../../packages/plugin-zoho/src/fake-server/index.js';
import zohoPlugin from '../../packages/plugin-zoho/src/index.js';
import type { BenchContext, BenchSuite } from '../lib.js';
import type { ZohoFakeQuestion, ZohoFakeStats } from './twoway-zoho.fake.js';

// Two-way sync against the HubSpot fake:
// - push throughput under HubSpot's 100 requests / rolling 10 s at 50 ms a request: changes
//   pushed in the first whole windows, as a fraction of what the limit allows (each batch of
//   100 changes costs a batch/read and a batch/update);
// - a mass update of 50,000 contacts on the SQLite store: time and peak RSS against the RSS
//   before it (recorded in chunks, pushed in batches of 100);
// - the three-way merge's cost per pushed record, beside a whole push's cost per record.

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

async function syncAll(store: Store, config: Record<string, unknown>) {
  const engine = new SyncEngine({ store, logger: quiet, progressIntervalMs: 0 });
  const run = await engine.runEntity({
    plugin: hubspotPlugin,
    entity: 'contacts',
    config: { ...config, HUBSPOT_RATE_LIMIT: 0 },
    options: { batchSize: 100, full: true, pluginOptions: { 'skip-archived': true } },
  });
  if (run.status !== 'success') throw new Error(`sync ended ${run.status}: ${run.errorMessage}`);
}

async function edits(store: Store, config: Record<string, unknown>, size: number, value: string) {
  const session = await openWriteSession({ plugin: hubspotPlugin, config, entity: 'contacts' });
  try {
    const writable = await session.writable();
    for (let i = 1; i <= size; i += 5_000)
      await recordEdits({
        store,
        crmSource: 'hubspot',
        entity: session.entity,
        writable,
        edits: Array.from({ length: Math.min(5_000, size - i + 1) }, (_, k) => ({
          recordId: String(i + k),
          values: { lastname: `${value}${i + k}` },
        })),
        author: 'bench',
      });
  } finally {
    await session.close();
  }
}

async function pushRate(ctx: BenchContext) {
  const seconds = ctx.quick ? 10 : 20;
  const size = (seconds / 10 + 0.4) * 100 * 50; // more than the windows can carry
  const hs = await startFakeHubspot({
    counts: { contacts: size },
    rateLimit: null,
    searchRateLimit: null,
  });
  try {
    const store = new MemoryStore();
    await syncAll(store, hs.config);
    await edits(store, hs.config, size, 'Pushed');
    hs.fake.setRateLimits({ rateLimit: 100 });
    hs.fake.api.latencyMs = 50;
    const config = { ...hs.config, HUBSPOT_RATE_LIMIT: 100 };
    const session = await openWriteSession({ plugin: hubspotPlugin, config, entity: 'contacts' });
    const before = hs.fake.stats.requests;
    let inTime: number | undefined;
    const timer = setTimeout(() => {
      inTime = hs.fake.stats.requests - before;
    }, seconds * 1000);
    const started = performance.now();
    const result = await pushChanges({
      store,
      crmSource: 'hubspot',
      entity: session.entity,
      client: session.client,
      trigger: 'library',
    });
    const elapsed = (performance.now() - started) / 1000;
    clearTimeout(timer);
    await session.close();
    const requests = inTime ?? hs.fake.stats.requests - before;
    const allowed = (100 / 10) * seconds;
    ctx.log(
      `${result.written} written in ${elapsed.toFixed(1)} s, ${requests} requests in the first ${seconds} s, ${hs.fake.stats.rateLimited} answered 429`,
    );
    ctx.report({
      suite: 'twoway',
      name: `changes pushed/s under 100 req / 10 s, 50 ms latency (first ${seconds} s)`,
      value: ((requests / 2) * 100) / seconds,
      unit: 'changes/s',
      limits: [
        {
          name: 'allowed (2 requests per 100 changes)',
          value: ((allowed / 2) * 100) / seconds,
          unit: 'changes/s',
        },
      ],
      ratio: requests / allowed,
      goal: '>= 0.9 of what the limit allows, no 429',
      met: requests / allowed >= 0.9 && hs.fake.stats.rateLimited === 0,
    });
  } finally {
    await hs.close();
  }
}

/** The fake Zoho in a child process (twoway-zoho.fake.ts), asked over IPC. */
async function zohoFakeInChild(options: FakeZohoOptions) {
  const module = fileURLToPath(new URL('./twoway-zoho.fake.ts', import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', module, JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [{ config }] = (await once(proc, 'message')) as [{ config: Record<string, string> }];
  let asked = 0;
  const ask = async <T>(question: DistributiveOmit<ZohoFakeQuestion, 'id'>): Promise<T> => {
    const id = ++asked;
    const answered = new Promise<T>((resolve) => {
      const listen = (message: { id?: number; answer?: T }) => {
        if (message.id !== id) return;
        proc.off('message', listen);
        resolve(message.answer as T);
      };
      proc.on('message', listen);
    });
    proc.send({ ...question, id });
    return answered;
  };
  return {
    config,
    setLatency: (ms: number) => ask<null>({ op: 'latency', ms }),
    ids: (module: string) => ask<string[]>({ op: 'ids', module }),
    stats: (path: string) => ask<ZohoFakeStats>({ op: 'stats', path }),
    async close() {
      proc.kill('SIGTERM');
      if (proc.exitCode === null) await once(proc, 'exit');
    },
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

async function zohoPushRate(ctx: BenchContext) {
  // Zoho caps calls in flight (Standard: 10), not calls per window: at 50 ms a call the cap
  // allows 10 × 20 = 200 calls/s, and a batch of 100 changes is a re-read and a PUT. The fake
  // runs in a process of its own, as Zoho does: this process's CPU is the push's alone.
  const size = ctx.quick ? 4_000 : 20_000;
  const cap = 10;
  const fake = await zohoFakeInChild({ size, concurrency: cap, dailyCredits: 10_000_000 });
  try {
    const config = { ...fake.config, ZOHO_CONCURRENCY: cap, ZOHO_DAILY_CREDITS: 10_000_000 };
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, logger: quiet, progressIntervalMs: 0 });
    const run = await engine.runEntity({
      plugin: zohoPlugin,
      entity: 'deals',
      config,
      options: { full: true },
    });
    if (run.status !== 'success')
      throw new Error(`zoho sync ended ${run.status}: ${run.errorMessage}`);
    const session = await openWriteSession({ plugin: zohoPlugin, config, entity: 'deals' });
    const writable = await session.writable();
    const ids = await fake.ids('Deals');
    await recordEdits({
      store,
      crmSource: 'zoho',
      entity: session.entity,
      writable,
      edits: ids.map((id, i) => ({ recordId: id, values: { Description: `pushed ${i}` } })),
      author: 'bench',
    });
    await fake.setLatency(50);
    const fakeBefore = await fake.stats('/crm/v8/Deals');
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const result = await pushChanges({
      store,
      crmSource: 'zoho',
      entity: session.entity,
      client: session.client,
      trigger: 'library',
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const fakeAfter = await fake.stats('/crm/v8/Deals');
    await session.close();
    const made = fakeAfter.calls - fakeBefore.calls;
    const rate = made / seconds;
    const allowed = cap * (1000 / 50);
    // On one core, the CPU the push spends per call bounds the rate whatever the cap allows (on
    // a loaded machine the process gets less than one); the fake's CPU is Zoho's, not ours.
    const pushCpuPerCall = (cpu.user + cpu.system) / 1000 / made;
    const fakeCpuPerCall = ((fakeAfter.cpuSeconds - fakeBefore.cpuSeconds) * 1000) / made;
    const cores = (cpu.user + cpu.system) / 1e6 / seconds;
    ctx.log(
      `${result.written} written in ${seconds.toFixed(1)} s, ${made} calls, ${pushCpuPerCall.toFixed(1)} ms CPU a call in the push process (${cores.toFixed(2)} cores used), ${fakeCpuPerCall.toFixed(1)} ms in the fake's`,
    );
    ctx.report({
      suite: 'twoway',
      name: `zoho: changes pushed/s at the concurrency cap (${cap}), 50 ms latency`,
      value: result.written / seconds,
      unit: 'changes/s',
      limits: [
        {
          name: 'allowed (cap × 20 calls/s, 2 calls per 100)',
          value: (allowed / 2) * 100,
          unit: 'changes/s',
        },
        {
          name: "calls one whole core could make at the push process's CPU a call",
          value: 1000 / pushCpuPerCall,
          unit: 'calls/s',
        },
        { name: 'cores the push process used', value: cores, unit: 'cores' },
      ],
      ratio: rate / allowed,
      goal: '>= 0.9 of what the cap allows',
      met: rate / allowed >= 0.9,
    });
    ctx.report({
      suite: 'twoway',
      name: 'zoho push: push-process CPU per call (re-read or PUT of 100; the fake in its own process)',
      value: pushCpuPerCall,
      unit: 'ms',
      limits: [{ name: 'a call slot at the cap (50 ms ÷ cap 10)', value: 50 / cap, unit: 'ms' }],
      ratio: pushCpuPerCall / (50 / cap),
    });
    ctx.report({
      suite: 'twoway',
      name: "zoho push: the fake Zoho's CPU per call (its own process; not ours)",
      value: fakeCpuPerCall,
      unit: 'ms',
    });
  } finally {
    await fake.close();
  }
}

async function massUpdate(ctx: BenchContext): Promise<number> {
  const size = ctx.quick ? 10_000 : 50_000;
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-bench-twoway-'));
  const hs = await startFakeHubspot({
    counts: { contacts: size },
    rateLimit: null,
    searchRateLimit: null,
  });
  const store = await openStore({ databaseUrl: `file:${join(dir, 'bench.db')}` });
  try {
    await syncAll(store, hs.config);
    const config = { ...hs.config, HUBSPOT_RATE_LIMIT: 0 };
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const started = performance.now();
    await edits(store, config, size, 'Mass');
    const recorded = (performance.now() - started) / 1000;
    const session = await openWriteSession({ plugin: hubspotPlugin, config, entity: 'contacts' });
    const result = await pushChanges({
      store,
      crmSource: 'hubspot',
      entity: session.entity,
      client: session.client,
      trigger: 'library',
      operation: 'mass-update',
    });
    const elapsed = (performance.now() - started) / 1000;
    clearInterval(sampler);
    await session.close();
    if (result.written !== size) throw new Error(`mass update wrote ${result.written} of ${size}`);
    ctx.report({
      suite: 'twoway',
      name: `mass update of ${size.toLocaleString('en-US')} contacts (SQLite store, limits off)`,
      value: elapsed,
      unit: 's',
      limits: [
        { name: 'records/s', value: size / elapsed, unit: 'records/s' },
        { name: 'of which recording the local changes', value: recorded, unit: 's' },
        { name: 'of which pushing them', value: elapsed - recorded, unit: 's' },
      ],
    });
    ctx.report({
      suite: 'twoway',
      name: 'mass update: peak RSS growth over the RSS before it',
      value: (peak - rssBefore) / 1_048_576,
      unit: 'MiB',
      limits: [{ name: 'RSS before', value: rssBefore / 1_048_576, unit: 'MiB' }],
      ratio: peak / rssBefore,
    });
    return (elapsed * 1_000_000) / size;
  } finally {
    await store.close();
    await hs.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function mergeCost(ctx: BenchContext, pushPerRecordUs: number) {
  const n = ctx.quick ? 50_000 : 200_000;
  const changes = Array.from({ length: n }, (_, i) => ({
    fields: { lastname: `L${i}`, lifecyclestage: 'customer', amount: 12.5 },
    base: { lastname: `B${i}`, lifecyclestage: 'lead', amount: '12.50' },
  }));
  const remote = { lastname: 'B1', lifecyclestage: 'lead', amount: '12.5', city: 'Austin' };
  let conflicts = 0;
  const started = performance.now();
  for (const c of changes) conflicts += threeWayMerge(c, remote).conflicts.length;
  const perRecordUs = ((performance.now() - started) * 1000) / n;
  ctx.log(`${conflicts} conflicting fields in ${n} merges`);
  ctx.report({
    suite: 'twoway',
    name: 'three-way merge per pushed record (3 fields)',
    value: perRecordUs,
    unit: 'µs',
    limits: [{ name: 'whole mass-update push per record', value: pushPerRecordUs, unit: 'µs' }],
    ratio: perRecordUs / pushPerRecordUs,
  });
}

const suite: BenchSuite = {
  name: 'twoway',
  // `BENCH_TWOWAY=zoho` (or `hubspot`, `mass`, comma-separated) runs only those parts.
  async run(ctx) {
    const parts = process.env.BENCH_TWOWAY?.split(',');
    const runs = (part: string) => !parts || parts.includes(part);
    if (runs('hubspot')) await pushRate(ctx);
    if (runs('zoho')) await zohoPushRate(ctx);
    if (runs('mass')) await mergeCost(ctx, await massUpdate(ctx));
  },
};
export default suite;
