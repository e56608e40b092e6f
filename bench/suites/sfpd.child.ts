import {
  type Logger,
  MemoryStore,
  type RecordWrite,
  SyncEngine,
  type UpsertResult,
} from '../../packages/core/src/index.js';
import salesforcePlugin from '../../packages/plugin-salesforce/src/index.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** Counts what it is given and keeps nothing: the peak RSS is the read path's own. */
class DiscardingStore extends MemoryStore {
  override async upsertRecords(
    _crm: string,
    _entity: string,
    records: RecordWrite[],
  ): Promise<UpsertResult> {
    return { created: records.length, updated: 0, unchanged: 0, keptNewer: 0 };
  }
}

/**
 * Child of sfpd.bench.ts: one initial load of Salesforce leads from the fake the parent
 * serves, by Bulk API 2.0 (`bulk: always`) or by query paging (`bulk: never`, one chain).
 */
export default async function readLeads(args: {
  config: Record<string, unknown>;
  bulk: 'always' | 'never';
}): Promise<{ seconds: number; records: number; status: string }> {
  const engine = new SyncEngine({
    store: new DiscardingStore(),
    logger: quiet,
    progressIntervalMs: 0,
  });
  const started = performance.now();
  const run = await engine.runEntity({
    plugin: salesforcePlugin,
    entity: 'leads',
    config: args.config,
    options: { pluginOptions: { bulk: args.bulk, slices: 1 } },
  });
  return {
    seconds: (performance.now() - started) / 1000,
    records: run.counts.processed,
    status: `${run.status}${run.errorMessage ? `: ${run.errorMessage}` : ''}`,
  };
}
