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

/** The record capability of a store: upserts by content hash, soft deletes, reads. */
export interface RecordStore {
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
  getRecord(crmSource: string, entity: string, externalId: string): Promise<StoredRecord | null>;
  /**
   * Several records by id in as few queries as the store can (ids it does not have are left
   * out); optional: callers fall back to `getRecord` per id.
   */
  getRecords?(
    crmSource: string,
    entity: string,
    externalIds: readonly string[],
  ): Promise<StoredRecord[]>;
  countRecords(
    crmSource: string,
    entity: string,
    options?: { includeDeleted?: boolean },
  ): Promise<number>;
}
