import { afterEach, beforeEach } from 'vitest';
import type { BeginRunInput, FinishRunInput, RunCounts } from '../contracts/run.js';
import type { RecordWrite, Store } from '../contracts/store.js';
import { contentHash } from '../hash.js';

export interface StoreFixture {
  store: Store;
  cleanup(): Promise<void>;
}

/** Opens a fresh store before each test of the enclosing suite and cleans it up after. */
export function storeUnderTest(open: () => Promise<StoreFixture>): { readonly store: Store } {
  let fixture: StoreFixture | undefined;
  const current = {
    get store(): Store {
      if (!fixture) throw new Error('the store is opened before each test, not outside one');
      return fixture.store;
    },
  };
  beforeEach(async () => {
    fixture = await open();
  });
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });
  return current;
}

export const counts = (over: Partial<RunCounts> = {}): RunCounts => ({
  processed: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  failed: 0,
  ...over,
});

export const begin = (over: Partial<BeginRunInput> = {}): BeginRunInput => ({
  crmSource: 'acme',
  syncType: 'contacts',
  mode: 'full',
  trigger: 'cli',
  dryRun: false,
  configuration: { batchSize: 100 },
  leaseMs: 60_000,
  ...over,
});

export const finish = (over: Partial<FinishRunInput> = {}): FinishRunInput => ({
  status: 'success',
  counts: counts(),
  performanceMetrics: null,
  ...over,
});

export function record(
  id: string,
  data: Record<string, unknown> = { name: `n${id}` },
  updatedAt?: Date,
): RecordWrite {
  return {
    externalId: id,
    data,
    hash: contentHash(data),
    remoteUpdatedAt: updatedAt ?? null,
    remoteCreatedAt: null,
  };
}
