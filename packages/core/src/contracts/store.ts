import type { Checkpoint } from './plugin.js';
import type {
  BeginRunInput,
  FinishRunInput,
  RunStatus,
  RunProgressUpdate,
  SyncEvent,
  SyncEventInput,
  SyncRun,
} from './run.js';

/** A mapped, validated record as the store receives it. */
export interface RecordWrite {
  externalId: string;
  data: Record<string, unknown>;
  /** `contentHash(data)` from core: stores compare it to skip unchanged rows. */
  hash: string;
  /**
   * `data` as the canonical JSON text the hash was computed from (`hashContent(data).json`),
   * when the writer has it: a store that keeps data as JSON writes this text rather than
   * serializing `data` again. It must be exactly that text, or absent.
   */
  json?: string;
  remoteUpdatedAt?: Date | null;
  remoteCreatedAt?: Date | null;
}

export interface UpsertOptions {
  runId: string;
  /**
   * `overwrite` (delta, `--force`): write whatever changed.
   * `keep-newer` (`--full`): keep a stored row whose remote updated time is newer than the
   * incoming one's.
   */
  policy: 'overwrite' | 'keep-newer';
  /** Tolerates a stored row that is soft-deleted: a record seen again is undeleted. */
  now?: Date;
}

export interface UpsertResult {
  created: number;
  updated: number;
  /** Same hash as stored: not rewritten. */
  unchanged: number;
  /** Skipped under `keep-newer` because the stored row is newer. */
  keptNewer: number;
}

export interface StoredRecord {
  crmSource: string;
  entity: string;
  externalId: string;
  data: Record<string, unknown>;
  hash: string;
  remoteUpdatedAt: Date | null;
  remoteCreatedAt: Date | null;
  firstSyncedAt: Date;
  lastSyncedAt: Date;
  deletedAt: Date | null;
  lastRunId: string | null;
}

export interface RunQuery {
  crmSource?: string;
  syncType?: string;
  status?: RunStatus;
  startedAfter?: Date;
  startedBefore?: Date;
  limit?: number;
}

/**
 * Persistence for runs, records, checkpoints and events. Every implementation passes the
 * store test suite in `@crmsync/core/testing`.
 *
 * @example
 * const store = new MemoryStore();
 * const run = await store.beginRun({ crmSource: 'faker', syncType: 'contacts', ... });
 */
export interface Store {
  /**
   * The database as an error message may name it (a file, or a URL without its password);
   * absent when there is nothing useful to say.
   */
  readonly location?: string;
  /**
   * Writes the run's `running` row. Refuses (throws RunAlreadyRunningError, naming the holder)
   * when the run is not a dry run and another non-dry run of the same (crm, entity) is still
   * `running`: one running run per entity, whatever process or entry point began it.
   */
  beginRun(input: BeginRunInput): Promise<SyncRun>;
  updateRunProgress(runId: string, update: RunProgressUpdate): Promise<void>;
  /** Finishes a run. Refuses (throws) to finish a run that is not `running`. */
  finishRun(runId: string, input: FinishRunInput): Promise<SyncRun>;
  getRun(runId: string): Promise<SyncRun | null>;
  /** Newest run (by start time) of (crm, entity) with status `success` or `partial`, dry runs excluded. */
  lastSuccessfulRun(crmSource: string, syncType: string): Promise<SyncRun | null>;
  /** Newest run of (crm, entity) whatever its status, dry runs excluded. */
  lastRun(crmSource: string, syncType: string): Promise<SyncRun | null>;
  /** Newest first. */
  listRuns(query?: RunQuery): Promise<SyncRun[]>;
  /** Runs still `running` whose heartbeat (or start) is older than their lease at `now`. */
  findStaleRuns(now: Date): Promise<SyncRun[]>;

  /** Writes a batch in one transaction: all or nothing. */
  upsertRecords(
    crmSource: string,
    entity: string,
    records: RecordWrite[],
    options: UpsertOptions,
  ): Promise<UpsertResult>;
  /** Soft-deletes these ids; returns how many rows changed from live to deleted. */
  softDeleteRecords(
    crmSource: string,
    entity: string,
    externalIds: string[],
    runId: string,
    now?: Date,
  ): Promise<number>;
  /** Soft-deletes every live record of the entity whose id is not in `keep`. */
  softDeleteMissing(
    crmSource: string,
    entity: string,
    keep: ReadonlySet<string>,
    runId: string,
    now?: Date,
  ): Promise<number>;
  /**
   * Soft-deletes every live record of the entity that belongs to one of `groups` — its values of
   * `fields` (as text: a number 5 is "5"; a missing or null value is in no group) equal the
   * group's, in order — and whose id is not in `keep`. How a read that returns groups whole
   * (`EntityDefinition.groupedBy`) removes what the CRM removed. Optional: the engine warns
   * and deletes nothing on a store without it.
   */
  softDeleteMissingInGroups?(
    crmSource: string,
    entity: string,
    scope: RecordGroups,
    keep: ReadonlySet<string>,
    runId: string,
    now?: Date,
  ): Promise<number>;
  getRecord(crmSource: string, entity: string, externalId: string): Promise<StoredRecord | null>;
  countRecords(
    crmSource: string,
    entity: string,
    options?: { includeDeleted?: boolean },
  ): Promise<number>;

  appendEvents(events: SyncEventInput[]): Promise<void>;
  listEvents(runId: string, options?: { limit?: number }): Promise<SyncEvent[]>;

  close(): Promise<void>;
}

/** Groups of an entity's records, by the values of some of their fields (see softDeleteMissingInGroups). */
export interface RecordGroups {
  fields: readonly string[];
  /** Each group's values of `fields`, in the same order, as text. */
  groups: ReadonlyArray<readonly string[]>;
}

export type { Checkpoint };
