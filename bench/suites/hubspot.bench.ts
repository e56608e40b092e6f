import { type Logger, MemoryStore, SyncEngine } from '../../packages/core/src/index.js';
import { startFakeHubspot } from '../../packages/plugin-hubspot/src/fake-server/index.js';
import hubspotPlugin from '../../packages/plugin-hubspot/src/index.js';
import type { BenchContext, BenchSuite } from '../lib.js';

// HubSpot against its fake, through the engine into MemoryStore:
// - rate use: the 100 / rolling 10 s limit on, 50 ms per request, consecutive full syncs of
//   one account for ~30 s; requests/s as a fraction of the allowed 10/s, with no 429.
// - throughput: 100,000 contacts with every limit off (records/s).

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

async function rateUse(ctx: BenchContext) {
  // Whole 10 s windows: the limit allows exactly 100 requests in each.
  const seconds = ctx.quick ? 10 : 30;
  const hs = await startFakeHubspot({
    counts: { contacts: 990 },
    latencyMs: 50,
    rateLimit: 100,
    searchRateLimit: null,
  });
  try {
    const engine = new SyncEngine({
      store: new MemoryStore(),
      logger: quiet,
      progressIntervalMs: 0,
    });
    let requestsInTime: number | undefined;
    const timer = setTimeout(() => {
      requestsInTime = hs.fake.stats.requests;
    }, seconds * 1000);
    let runs = 0;
    let failed = 0;
    // 99 list pages + 1 archived page per run; runs go on until the time is up.
    while (requestsInTime === undefined) {
      const run = await engine.runEntity({
        plugin: hubspotPlugin,
        entity: 'contacts',
        config: hs.config,
        options: { batchSize: 10, force: true },
      });
      runs++;
      if (run.status !== 'success') failed++;
    }
    clearTimeout(timer);
    const rate = requestsInTime / seconds;
    const allowed = 100 / 10;
    ctx.log(
      `${runs} runs, ${requestsInTime} requests in the first ${seconds} s, ${hs.fake.stats.rateLimited} answered 429, ${failed} runs not successful`,
    );
    ctx.report({
      suite: 'hubspot',
      name: 'requests/s under the 100 per 10 s limit (50 ms latency)',
      value: rate,
      unit: 'req/s',
      limits: [{ name: 'allowed', value: allowed, unit: 'req/s' }],
      ratio: rate / allowed,
      goal: '>= 0.9 of the allowed rate, no 429, no failed run',
      met: rate / allowed >= 0.9 && hs.fake.stats.rateLimited === 0 && failed === 0,
    });
  } finally {
    await hs.close();
  }
}

async function throughput(ctx: BenchContext) {
  const size = ctx.quick ? 20_000 : 100_000;
  const hs = await startFakeHubspot({
    counts: { contacts: size },
    rateLimit: null,
    searchRateLimit: null,
  });
  try {
    const engine = new SyncEngine({
      store: new MemoryStore(),
      logger: quiet,
      progressIntervalMs: 0,
    });
    const started = performance.now();
    const run = await engine.runEntity({
      plugin: hubspotPlugin,
      entity: 'contacts',
      config: { ...hs.config, HUBSPOT_RATE_LIMIT: 0 },
      options: { batchSize: 100 },
    });
    const seconds = (performance.now() - started) / 1000;
    if (run.status !== 'success' || run.counts.created !== size)
      throw new Error(`hubspot throughput run ended ${run.status}: ${run.errorMessage}`);
    ctx.report({
      suite: 'hubspot',
      name: `records/s, ${size.toLocaleString('en-US')} contacts, limits off`,
      value: size / seconds,
      unit: 'records/s',
    });
  } finally {
    await hs.close();
  }
}

const suite: BenchSuite = {
  name: 'hubspot',
  async run(ctx) {
    await rateUse(ctx);
    await throughput(ctx);
  },
};
export default suite;
