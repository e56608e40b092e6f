import { limitHeapGrowth, SyncEngine } from '@crmsync/core';
import { fakerPlugin } from '@crmsync/plugin-faker';
import { openStore } from '../../packages/server/src/store/index.js';

export interface StoreSyncArgs {
  databaseUrl: string;
  /** The faker API, served by the parent process: the CRM is not part of the measured process. */
  baseUrl: string;
  token: string;
  count: number;
  mode: 'full' | 'delta';
}

export interface StoreSyncResult {
  seconds: number;
  processed: number;
}

/**
 * Child process of store.bench.ts: one sync of faker contacts through the engine (HTTP pages
 * -> map -> validate -> hash -> bulk upsert) into a real store. Run by runInChild, so its
 * peak RSS is the engine's and the store's own.
 */
export default async function storeSync(args: StoreSyncArgs): Promise<StoreSyncResult> {
  // This child stands for a `crmsync sync` process, which starts with this (cli/main.ts).
  limitHeapGrowth();
  const store = await openStore({ databaseUrl: args.databaseUrl });
  try {
    const engine = new SyncEngine({ store });
    const started = performance.now();
    const run = await engine.runEntity({
      plugin: fakerPlugin,
      entity: 'contacts',
      config: {
        baseUrl: args.baseUrl,
        token: args.token,
        size: args.count,
        seed: 11,
        changesPerMinute: 0,
        requestsPerSecond: 100_000,
      },
      options: { full: args.mode === 'full', batchSize: 1_000 },
    });
    if (run.status !== 'success') throw new Error(`bench sync ${run.status}: ${run.errorMessage}`);
    return { seconds: (performance.now() - started) / 1_000, processed: run.counts.processed };
  } finally {
    await store.close();
  }
}
