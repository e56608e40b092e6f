import { MemoryStore, SyncEngine } from '@crmsync/core';
import geniusPlugin from '../src/index.js';

interface Args {
  url: string;
  timeZone: string;
  rows: number;
  batchSize: number;
}

/**
 * Benchmark child: a `--dry-run` SyncEngine run of `rows` change orders from Genius — every
 * record fetched, mapped and validated, none written — so the peak RSS the parent measures
 * (bench/lib.ts runInChild) is the streaming path's own, not a store holding the rows.
 */
export default async function dryRunChangeOrders(args: Args) {
  const engine = new SyncEngine({ store: new MemoryStore(), progressIntervalMs: 0 });
  const run = await engine.runEntity({
    plugin: geniusPlugin,
    entity: 'job_change_orders',
    config: { GENIUS_DATABASE_URL: args.url, GENIUS_TIMEZONE: args.timeZone, GENIUS_POOL_SIZE: 1 },
    options: { dryRun: true, batchSize: args.batchSize, maxRecords: args.rows },
  });
  if (run.status !== 'success') throw new Error(`dry run ${run.status}: ${run.errorMessage}`);
  return { count: run.counts.processed, seconds: (run.performanceMetrics?.durationMs ?? 0) / 1000 };
}
