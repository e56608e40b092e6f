import type { EventStore } from './event-store.js';
import type { FieldSchema } from './fields.js';
import type { GroupedDeletes } from './grouped-deletes.js';
import type { LocalChangeStore } from './local-changes.js';
import type { RecordStore } from './record-store.js';
import type { RunStore } from './run-store.js';
import type { RequestBudgets, SourceMarks } from './shared-state.js';

export type { Checkpoint } from './plugin.js';
export type { EventStore } from './event-store.js';
export type { GroupedDeletes, RecordGroups } from './grouped-deletes.js';
export type {
  RecordStore,
  RecordWrite,
  StoredRecord,
  UpsertOptions,
  UpsertResult,
} from './record-store.js';
export type { RunQuery, RunStore } from './run-store.js';

/** What every store has beside its capabilities. */
export interface StoreConnection {
  /**
   * The database as an error message may name it (a file, or a URL without its password);
   * absent when there is nothing useful to say.
   */
  readonly location?: string;
  close(): Promise<void>;
}

/** The optional capabilities: objects a store offers or not, each proved by its own suite. */
export interface StoreCapabilities {
  /** Soft deletes by group (see GroupedDeletes); absent on a store that cannot. */
  readonly groupedDeletes?: GroupedDeletes;
  /** Local changes and conflicts (two-way sync); absent on a store that cannot keep them. */
  readonly localChanges?: LocalChangeStore;
  /** Request quotas shared by every process on this store (see RequestBudgets). */
  readonly requestBudgets?: RequestBudgets;
  /** What a source left between runs of an entity (see SourceMarks). */
  readonly sourceMarks?: SourceMarks;
  /** Indexes on the record fields an entity declares `indexed` (see RecordIndexes). */
  readonly recordIndexes?: RecordIndexes;
}

/**
 * The indexes a store keeps on an entity's `indexed` fields (see FieldSpec.indexed). The
 * engine calls `ensureIndexes` before a run that writes: it creates the missing ones, drops
 * those the entity no longer declares, and does nothing when they already match.
 */
export interface RecordIndexes {
  ensureIndexes(
    crmSource: string,
    entity: string,
    fields: FieldSchema,
    primaryKey?: string,
  ): Promise<IndexChanges>;
}

/** What `ensureIndexes` did: the fields it indexed, and the index names it dropped. */
export interface IndexChanges {
  created: string[];
  dropped: string[];
}

/**
 * Persistence for runs, records, checkpoints and events: the run, record and event
 * capabilities, and the optional ones a store offers. Every implementation passes the store
 * test suite in `@crmsync/core/testing` (one suite per capability).
 *
 * @example
 * const store = new MemoryStore();
 * const run = await store.beginRun({ crmSource: 'faker', syncType: 'contacts', ... });
 */
export type Store = StoreConnection & RunStore & RecordStore & EventStore & StoreCapabilities;
