import { type Logger, MemoryStore, SyncEngine } from '../../packages/core/src/index.js';
import { fakeZohoConfig, startFakeZoho } from '../../packages/plugin-zoho/src/fake-server/index.js';
import zohoPlugin from '../../packages/plugin-zoho/src/index.js';
import type { BenchContext, BenchSuite } from '../lib.js';

// Zoho against its fake, 50 ms per request, through the engine into MemoryStore: a first full
// read of one module by paging (200 records a call, page_token past 2,000) and by the Bulk
// Read API (one job, polled every 500 ms, a ZIP of CSV). The fake's bulk job is modelled as
// 2 s queued plus 50,000 rows/s (UNCONFIRMED: Zoho's real job times vary with its load), so
// the ratio says what the switch buys under that model, and the credits what it costs.

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const LATENCY_MS = 50;

async function firstLoad(ctx: BenchContext, size: number, bulk: boolean) {
  const fake = await startFakeZoho({ latencyMs: LATENCY_MS, dailyCredits: 1_000_000 });
  try {
    for (let i = 0; i < size; i++)
      fake.org.addRecord('Deals', {}, Date.now() - 90 * 86_400_000 + i * 1000);
    const engine = new SyncEngine({
      store: new MemoryStore(),
      logger: quiet,
      progressIntervalMs: 0,
    });
    const started = performance.now();
    const run = await engine.runEntity({
      plugin: zohoPlugin,
      entity: 'deals',
      config: {
        ...fakeZohoConfig(fake),
        ZOHO_BULK_THRESHOLD: bulk ? 1 : 0,
        ZOHO_BULK_POLL_MS: 500,
      },
      options: { batchSize: 200 },
    });
    const seconds = (performance.now() - started) / 1000;
    if (run.status !== 'success' || run.counts.created !== size)
      throw new Error(
        `zoho ${bulk ? 'bulk' : 'paging'} run ended ${run.status}: ${run.errorMessage}`,
      );
    const requests = fake.api.requests.length;
    const credits = fake.limits.creditsUsed();
    ctx.log(
      `${bulk ? 'bulk read' : 'paging'}: ${size} deals in ${seconds.toFixed(2)} s, ${requests} requests, ${credits} credits`,
    );
    return { rate: size / seconds, seconds, requests, credits };
  } finally {
    await fake.close();
  }
}

const suite: BenchSuite = {
  name: 'zoho',
  async run(ctx) {
    const size = ctx.quick ? 4_000 : 20_000;
    const paging = await firstLoad(ctx, size, false);
    // One request at a time, 200 records each, 50 ms apiece: the most paging can do.
    const pagingCeiling = (200 * 1000) / LATENCY_MS;
    ctx.report({
      suite: 'zoho',
      name: `first load by paging, ${size.toLocaleString('en-US')} deals, 50 ms latency`,
      value: paging.rate,
      unit: 'records/s',
      limits: [
        {
          name: '200 records per 50 ms call, one at a time',
          value: pagingCeiling,
          unit: 'records/s',
        },
        { name: 'credits spent', value: paging.credits, unit: 'credits' },
      ],
      ratio: paging.rate / pagingCeiling,
    });
    const bulk = await firstLoad(ctx, size, true);
    ctx.report({
      suite: 'zoho',
      name: `first load by Bulk Read, ${size.toLocaleString('en-US')} deals, 50 ms latency (job: 2 s + 50,000 rows/s)`,
      value: bulk.rate,
      unit: 'records/s',
      limits: [
        { name: 'paging, same records', value: paging.rate, unit: 'records/s' },
        { name: 'credits spent', value: bulk.credits, unit: 'credits' },
        { name: 'credits spent paging', value: paging.credits, unit: 'credits' },
      ],
      ratio: bulk.rate / paging.rate,
    });
  },
};
export default suite;
