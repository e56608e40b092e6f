import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type Logger, MemoryStore, SyncEngine } from '../../packages/core/src/index.js';
import { startFakePipedrive } from '../../packages/plugin-pipedrive/src/fake-server/index.js';
import pipedrivePlugin from '../../packages/plugin-pipedrive/src/index.js';
import { startFakeSalesforce } from '../../packages/plugin-salesforce/src/fake-server/index.js';
import { type BenchContext, type BenchSuite, runInChild } from '../lib.js';

// Issue 24's figures:
// - sliced reads: a 100,000-person Pipedrive initial load at 50 ms latency, limits off, read
//   by 8 time slices at once vs one cursor chain, beside the latency floor (pages × latency ÷
//   concurrency);
// - request rate at Pipedrive's documented burst limit (20 per rolling 2 s, API token,
//   Essential plan), sliced reads back to back: achieved/allowed, 429s, failed runs;
// - Salesforce Bulk API 2.0 vs query paging for 200,000 leads (50 ms latency): time and peak
//   RSS of the reading process (records are counted and dropped, so RSS is the read path's).

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const LATENCY = 50;
const PAGE = 500;

/** The fake Pipedrive in a child process (sfpd.fake.ts), so its CPU is not the reader's. */
async function fakeInChild(options: Record<string, unknown>) {
  const module = fileURLToPath(new URL('./sfpd.fake.ts', import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', module, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  for await (const chunk of proc.stdout) {
    out += String(chunk);
    if (out.includes('\n')) break;
  }
  const { baseUrl, token } = JSON.parse(out.split('\n')[0] ?? '{}') as {
    baseUrl: string;
    token: string;
  };
  return {
    baseUrl,
    token,
    async close() {
      proc.kill('SIGTERM');
      if (proc.exitCode === null) await once(proc, 'exit');
    },
  };
}

async function slicedLoad(ctx: BenchContext) {
  const size = ctx.quick ? 20_000 : 100_000;
  const fake = await fakeInChild({
    size,
    entities: ['persons'],
    burst: 1_000_000_000,
    latencyMs: LATENCY,
  });
  try {
    const config = {
      PIPEDRIVE_API_TOKEN: fake.token,
      PIPEDRIVE_BASE_URL: fake.baseUrl,
      PIPEDRIVE_BURST_LIMIT: 1_000_000_000,
    };
    const load = async (slices: number) => {
      const engine = new SyncEngine({
        store: new MemoryStore(),
        logger: quiet,
        progressIntervalMs: 0,
      });
      const cpu = process.cpuUsage();
      const started = performance.now();
      const run = await engine.runEntity({
        plugin: pipedrivePlugin,
        entity: 'persons',
        config,
        options: { pluginOptions: { slices } },
      });
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      if (run.status !== 'success' || run.counts.created !== size)
        throw new Error(`pipedrive ${slices}-slice load ended ${run.status}: ${run.errorMessage}`);
      return {
        seconds,
        cpu: (used.user + used.system) / 1e6,
        pages: run.performanceMetrics?.pages,
      };
    };
    const one = await load(1);
    const eight = await load(8);
    const pages = Math.ceil(size / PAGE);
    const floor = (pages * LATENCY) / 8 / 1000;
    const speedup = one.seconds / eight.seconds;
    // CPU seconds of the reading process (the fake runs in its own) beside the wall time: on
    // a shared 2-core machine a read that needs more CPU than latency is bound by the CPU.
    ctx.log(
      `one chain ${one.seconds.toFixed(2)} s wall, ${one.cpu.toFixed(2)} s CPU (${one.pages} pages); 8 slices ${eight.seconds.toFixed(2)} s wall, ${eight.cpu.toFixed(2)} s CPU (${eight.pages} pages); latency floor ${floor.toFixed(2)} s; load average ${(await import('node:os')).loadavg()[0]?.toFixed(1)}`,
    );
    const label = `${size.toLocaleString('en-US')} persons, 50 ms latency, limits off`;
    ctx.report({
      suite: 'sfpd',
      name: `initial load speed-up, 8 slices vs one cursor chain (${label})`,
      value: speedup,
      unit: '×',
      limits: [
        { name: 'one chain', value: one.seconds, unit: 's' },
        { name: '8 slices', value: eight.seconds, unit: 's' },
      ],
      ratio: speedup / 4,
      goal: '>= 4× faster',
      met: speedup >= 4,
    });
    ctx.report({
      suite: 'sfpd',
      name: `initial load with 8 slices vs the latency floor (${label})`,
      value: eight.seconds,
      unit: 's',
      limits: [{ name: 'pages × latency ÷ 8', value: floor, unit: 's' }],
      ratio: floor / eight.seconds,
    });
  } finally {
    await fake.close();
  }
}

async function rateAtLimit(ctx: BenchContext) {
  const seconds = ctx.quick ? 10 : 20;
  const burst = 20; // per rolling 2 s: API token, Essential plan
  const fake = await startFakePipedrive({
    size: 3_000,
    entities: ['persons'],
    burst,
    latencyMs: LATENCY,
  });
  try {
    const config = {
      PIPEDRIVE_API_TOKEN: fake.token,
      PIPEDRIVE_BASE_URL: fake.baseUrl,
      PIPEDRIVE_BURST_LIMIT: burst,
    };
    const engine = new SyncEngine({
      store: new MemoryStore(),
      logger: quiet,
      progressIntervalMs: 0,
    });
    const start = fake.api.clock.now();
    const end = start + seconds * 1000;
    let runs = 0;
    let failed = 0;
    while (fake.api.clock.now() < end) {
      const run = await engine.runEntity({
        plugin: pipedrivePlugin,
        entity: 'persons',
        config,
        options: { force: true, batchSize: 100, pluginOptions: { slices: 8 } },
      });
      runs++;
      if (run.status !== 'success') failed++;
    }
    const inTime = fake.api.requests.filter((r) => r.at >= start && r.at < end);
    const limited = fake.api.requests.filter((r) => r.status === 429).length;
    const rate = inTime.length / seconds;
    const allowed = burst / 2;
    ctx.log(
      `${runs} runs, ${inTime.length} requests in the first ${seconds} s, ${limited} answered 429, ${failed} runs not successful`,
    );
    ctx.report({
      suite: 'sfpd',
      name: 'pipedrive requests/s at the burst limit of 20 per 2 s (8 slices, 50 ms latency)',
      value: rate,
      unit: 'req/s',
      limits: [{ name: 'allowed', value: allowed, unit: 'req/s' }],
      ratio: rate / allowed,
      goal: '>= 0.9 of the allowed rate, no 429, no failed run',
      met: rate / allowed >= 0.9 && limited === 0 && failed === 0,
    });
  } finally {
    await fake.api.close();
  }
}

async function bulkVsQuery(ctx: BenchContext) {
  const size = ctx.quick ? 40_000 : 200_000;
  const fake = await startFakeSalesforce({
    size,
    objects: ['Lead'],
    latencyMs: LATENCY,
    dailyLimit: 1_000_000,
  });
  try {
    const config = { ...fake.credentials.clientCredentials };
    const child = fileURLToPath(new URL('./sfpd.child.ts', import.meta.url));
    const measure = async (bulk: 'always' | 'never') => {
      const before = fake.api.requests.length;
      const out = await runInChild<{ seconds: number; records: number; status: string }>(child, {
        config,
        bulk,
      });
      if (!out.result.status.startsWith('success') || out.result.records !== size)
        throw new Error(
          `salesforce ${bulk} read: ${out.result.status}, ${out.result.records} records`,
        );
      return {
        seconds: out.result.seconds,
        rssMb: out.maxRssBytes / 1_048_576,
        // API calls spent: what the org's daily allocation is charged.
        calls: fake.api.requests.length - before,
        readerCpu: out.cpu.process,
        fakeCpu: out.cpu.parent,
      };
    };
    const query = await measure('never');
    const bulk = await measure('always');
    const line = (m: typeof query) =>
      `${m.seconds.toFixed(2)} s, peak RSS ${m.rssMb.toFixed(0)} MB, ${m.calls} API calls, CPU ${m.readerCpu.toFixed(1)} s reader / ${m.fakeCpu.toFixed(1)} s fake`;
    ctx.log(`query paging ${line(query)}; Bulk 2.0 ${line(bulk)}`);
    const label = `${size.toLocaleString('en-US')} leads, 50 ms latency`;
    ctx.report({
      suite: 'sfpd',
      name: `salesforce Bulk 2.0 read time (${label})`,
      value: bulk.seconds,
      unit: 's',
      limits: [{ name: 'query paging', value: query.seconds, unit: 's' }],
      ratio: query.seconds / bulk.seconds,
    });
    ctx.report({
      suite: 'sfpd',
      name: `salesforce Bulk 2.0 peak RSS of the reader (${label})`,
      value: bulk.rssMb,
      unit: 'MB',
      limits: [{ name: 'query paging', value: query.rssMb, unit: 'MB' }],
      ratio: bulk.rssMb / query.rssMb,
    });
  } finally {
    await fake.api.close();
  }
}

const suite: BenchSuite = {
  name: 'sfpd',
  async run(ctx) {
    await slicedLoad(ctx);
    await rateAtLimit(ctx);
    await bulkVsQuery(ctx);
  },
};
export default suite;
