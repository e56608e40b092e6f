import { createRequestMetrics, type Logger } from '@crmsync/core';
import marketsharpPlugin from '../src/index.js';

// A bench child: reads `activities` whole through the plugin (signed requests, streamed JSON
// or Atom parse, typed values) and counts the records. Its peak RSS is the read's own.
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

export default async function read(args: {
  config: Record<string, unknown>;
  batchSize: number;
}): Promise<{ count: number; seconds: number; apiCalls: number }> {
  const metrics = createRequestMetrics();
  const controller = new AbortController();
  const run = await marketsharpPlugin.createClient({
    config: {
      MARKETSHARP_BASE_URL: 'https://api4.marketsharpm.com/WcfDataService.svc',
      MARKETSHARP_TIMEZONE: 'UTC',
      MARKETSHARP_FORMAT: 'json',
      MARKETSHARP_RETRY_WAIT_MS: 10_000,
      MARKETSHARP_TIMEOUT_MS: 60_000,
      ...args.config,
    } as never,
    logger: quiet,
    metrics,
    signal: controller.signal,
  });
  const entity = marketsharpPlugin.entities.find((e) => e.name === 'activities');
  if (!entity) throw new Error('no activities entity');
  const started = performance.now();
  let count = 0;
  for await (const page of entity.fetch(run, {
    mode: 'full',
    batchSize: args.batchSize,
    signal: controller.signal,
    options: {},
    logger: quiet,
  })) {
    count += page.records.length;
  }
  const seconds = (performance.now() - started) / 1000;
  await marketsharpPlugin.closeClient?.(run);
  return { count, seconds, apiCalls: metrics.apiCalls };
}
