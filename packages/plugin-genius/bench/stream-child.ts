import { createRequestMetrics, type Logger } from '@crmsync/core';
import { GeniusClient } from '../src/client.js';
import { jobChangeOrders } from '../src/entities/job_change_orders.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

interface Args {
  url: string;
  timeZone: string;
  rows: number;
  batchSize: number;
}

/**
 * Benchmark child: streams `rows` change orders through the plugin's keyset reader, touching
 * every record the way a no-write (dry-run) sync does, and reports what it read. Its peak RSS
 * is measured by the parent (bench/lib.ts runInChild).
 */
export default async function streamChangeOrders(args: Args) {
  const client = GeniusClient.connect({
    url: args.url,
    timeZone: args.timeZone,
    poolSize: 1,
    logger: quiet,
    metrics: createRequestMetrics(),
  });
  const started = performance.now();
  let count = 0;
  let bytes = 0;
  try {
    for await (const page of jobChangeOrders.fetch(client, {
      mode: 'full',
      batchSize: args.batchSize,
      maxRecords: args.rows,
      signal: new AbortController().signal,
      options: {},
      logger: quiet,
    })) {
      for (const record of page.records) bytes += JSON.stringify(record).length;
      count += page.records.length;
      if (count >= args.rows) break;
    }
  } finally {
    await client.close();
  }
  return { count, bytes, seconds: (performance.now() - started) / 1000 };
}
