import {
  hashContent,
  createDefaultProcessor,
  createRequestMetrics,
  type FetchRequest,
  type Logger,
  limitHeapGrowth,
  MemoryStore,
  type RecordWrite,
  SyncEngine,
} from '@crmsync/core';
import { fakerPlugin } from '@crmsync/plugin-faker';

export interface CoreChildArgs {
  /**
   * What to time: `fetch` reads and parses every page and drops it; `write` writes the same
   * records (mapped and hashed beforehand, untimed) to a MemoryStore; `sync` is the engine end
   * to end into a MemoryStore; `dry-sync` is the engine with nothing kept (for peak RSS).
   */
  mode: 'fetch' | 'write' | 'sync' | 'dry-sync';
  /** The faker API, served by the parent process: the CRM is not part of the measured process. */
  baseUrl: string;
  token: string;
  count: number;
  batchSize: number;
}

export interface CoreChildResult {
  seconds: number;
  records: number;
  pages?: number;
  fetchMs?: number;
  writeMs?: number;
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

function configFor(args: CoreChildArgs) {
  return {
    baseUrl: args.baseUrl,
    token: args.token,
    size: args.count,
    seed: 7,
    changesPerMinute: 0,
    requestsPerSecond: 1_000_000,
  };
}

async function readAll(args: CoreChildArgs, each: (records: unknown[]) => void): Promise<number> {
  const contacts = fakerPlugin.entities.find((e) => e.name === 'contacts');
  if (!contacts) throw new Error('the faker plugin has no contacts entity');
  const controller = new AbortController();
  const client = await fakerPlugin.createClient({
    config: configFor(args),
    logger: quiet,
    metrics: createRequestMetrics(),
    signal: controller.signal,
  });
  try {
    const request: FetchRequest = {
      mode: 'full',
      batchSize: args.batchSize,
      signal: controller.signal,
      options: {},
      logger: quiet,
    };
    let n = 0;
    for await (const page of contacts.fetch(client, request)) {
      n += page.records.length;
      each(page.records);
    }
    return n;
  } finally {
    await fakerPlugin.closeClient?.(client);
  }
}

async function writeOnly(args: CoreChildArgs): Promise<CoreChildResult> {
  const contacts = fakerPlugin.entities.find((e) => e.name === 'contacts');
  if (!contacts) throw new Error('the faker plugin has no contacts entity');
  const processor = createDefaultProcessor(contacts, 'faker');
  const writes: RecordWrite[] = [];
  await readAll(args, (records) => {
    for (const raw of records) {
      const r = processor.transform(raw);
      const { hash, json } = hashContent(r.data);
      writes.push({
        externalId: r.externalId,
        data: r.data,
        hash,
        json,
        remoteUpdatedAt: r.remoteUpdatedAt ?? null,
        remoteCreatedAt: r.remoteCreatedAt ?? null,
      });
    }
  });
  const store = new MemoryStore();
  const run = await store.beginRun({
    crmSource: 'faker',
    syncType: 'contacts',
    mode: 'full',
    trigger: 'library',
    dryRun: false,
    configuration: {},
    leaseMs: 60_000,
  });
  const started = performance.now();
  for (let i = 0; i < writes.length; i += args.batchSize) {
    await store.upsertRecords('faker', 'contacts', writes.slice(i, i + args.batchSize), {
      runId: run.id,
      policy: 'overwrite',
    });
  }
  return { seconds: (performance.now() - started) / 1000, records: writes.length };
}

/**
 * Child process of core.bench.ts, run by runInChild so each measurement has a process of its
 * own (its own peak RSS, no JIT or heap left over from another measurement).
 */
export default async function coreChild(args: CoreChildArgs): Promise<CoreChildResult> {
  // Each child stands for a process running a sync, which the crmsync CLI starts with this
  // (cli/main.ts): the limits and the engine alike.
  limitHeapGrowth();
  if (args.mode === 'write') return writeOnly(args);
  const started = performance.now();
  if (args.mode === 'fetch') {
    const records = await readAll(args, () => {});
    return { seconds: (performance.now() - started) / 1000, records };
  }
  const engine = new SyncEngine({ store: new MemoryStore(), logger: quiet });
  const run = await engine.runEntity({
    plugin: fakerPlugin,
    entity: 'contacts',
    config: configFor(args),
    options: { batchSize: args.batchSize, dryRun: args.mode === 'dry-sync' },
  });
  if (run.status !== 'success') throw new Error(`bench sync ${run.status}: ${run.errorMessage}`);
  if (args.mode === 'sync' && run.counts.created !== args.count)
    throw new Error(`bench sync created ${run.counts.created} of ${args.count}`);
  return {
    seconds: (performance.now() - started) / 1000,
    records: run.counts.processed,
    pages: run.performanceMetrics?.pages ?? 0,
    fetchMs: run.performanceMetrics?.fetchMs ?? 0,
    writeMs: run.performanceMetrics?.writeMs ?? 0,
  };
}
