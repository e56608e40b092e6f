import {
  CrmsyncError,
  type FinishRunInput,
  type RecordGroups,
  type RecordWrite,
  type RunProgressUpdate,
  type RunQuery,
  type SyncEventInput,
  type SyncRun,
  type UpsertOptions,
  type UpsertResult,
} from '@crmsync/core';
import type { ColumnCodec } from './run-row.js';
import type { Statement } from './run-statements.js';

/** A database's value formats (`codec`) and its n-th (1-based) placeholder (`param`). */
export interface SqlDialect {
  codec: ColumnCodec;
  param(n: number): string;
}

/**
 * A sync's hot path in the database's own SQL: the store's bulk upsert and soft deletes go
 * through the driver directly (one SELECT, then multi-row upserts of new and changed rows
 * only, in one transaction), not through Prisma's per-row queries; and so does the run's own
 * bookkeeping (its history row, progress and log lines), which a sync touches at start, on
 * every page and at the end. Prisma plans each query shape the first time a process uses it
 * (tens of milliseconds each, measured), and a CLI sync is a fresh process every time.
 */
export interface RecordTable {
  upsert(
    crmSource: string,
    entity: string,
    records: RecordWrite[],
    options: UpsertOptions,
  ): Promise<UpsertResult>;
  softDelete(
    crmSource: string,
    entity: string,
    externalIds: string[],
    runId: string,
    now: Date,
  ): Promise<number>;
  softDeleteMissing(
    crmSource: string,
    entity: string,
    keep: ReadonlySet<string>,
    runId: string,
    now: Date,
  ): Promise<number>;
  softDeleteMissingInGroups(
    crmSource: string,
    entity: string,
    scope: RecordGroups,
    keep: ReadonlySet<string>,
    runId: string,
    now: Date,
  ): Promise<number>;
  /**
   * Saves a running run's counts, heartbeat, checkpoint and high-water mark (absent ones are
   * left as they are), in the columns and formats Prisma maps them to. Once per page, so it
   * goes through the driver too. False when the run is not running.
   */
  updateRunProgress(runId: string, update: RunProgressUpdate): Promise<boolean>;
  /**
   * Appends log lines and then drops each of their runs' oldest lines beyond `keepPerRun`, in
   * one transaction. A sync logs every page's warnings, so this goes through the driver too.
   * An event of a run that does not exist fails the whole call (see `unknownRunError`).
   */
  appendEvents(events: SyncEventInput[], keepPerRun: number): Promise<void>;
  /**
   * Inserts a new run's row. False, with nothing written, when the run is not a dry run and its
   * (crm, entity) already has a running non-dry run (the unique index `sync_history_running_idx`).
   */
  insertRun(run: SyncRun): Promise<boolean>;
  /** The running, non-dry run of a CRM's entity, if any. */
  runningRun(crmSource: string, syncType: string): Promise<SyncRun | null>;
  /** This database's placeholders and value formats, for statements built outside (shared-state.ts). */
  readonly dialect: SqlDialect;
  /**
   * Runs one statement of the store's small shared tables (source marks, request budgets) and
   * returns the rows it yields (SELECT or RETURNING; none otherwise). A sync reads its source
   * marks at start, so these go through the driver too rather than loading Prisma.
   */
  query(statement: Statement, returnsRows: boolean): Promise<Record<string, unknown>[]>;
  /** Runs newest first, as `RunQuery` filters them (the history list, `crmsync list`). */
  listRuns(query: RunQuery): Promise<SyncRun[]>;
  /** Every running run, newest first (the reaper looks for stale ones among them). */
  runningRuns(): Promise<SyncRun[]>;
  /** An entity's live (not soft-deleted) records. */
  countLive(crmSource: string, entity: string): Promise<number>;
  /** Finishes a running run; false when it is not running (or does not exist). */
  finishRun(runId: string, input: FinishRunInput): Promise<boolean>;
  getRun(runId: string): Promise<SyncRun | null>;
  /**
   * The newest run (by start time, then id) of a CRM's entity that was not a dry run; with
   * `succeeded`, only a `success` or `partial` one.
   */
  newestRun(crmSource: string, syncType: string, succeeded: boolean): Promise<SyncRun | null>;
  close(): Promise<void>;
}

/** The error for events logged against runs that do not exist (a foreign key refused them). */
export function unknownRunError(
  runIds: string[],
  existing: ReadonlySet<string>,
  cause: unknown,
): CrmsyncError {
  const missing = runIds.find((id) => !existing.has(id));
  return new CrmsyncError(
    'system',
    `cannot log an event for sync run ${missing ?? runIds.join(', ')}: no such run`,
    {},
    { cause },
  );
}

/**
 * The JSON path of a top-level data field, for the group queries. A field name with a quote or
 * a backslash has no plain path: refused rather than escaped.
 */
export function groupFieldPath(field: string): string {
  if (/["\\]/.test(field) || field === '')
    throw new CrmsyncError(
      'system',
      `a group field must be a plain field name (no quote or backslash), got ${JSON.stringify(field)}`,
    );
  return `$."${field}"`;
}
