import type {
  Checkpoint,
  ErrorKind,
  EventLevel,
  PerformanceMetrics,
  RunStatus,
  RunTrigger,
  SyncEvent,
  SyncMode,
  SyncRun,
} from '@crmsync/core';
import type { SyncEventRow, SyncHistory } from './prisma-client.js';

/** A `sync_history` row as the contract's `SyncRun`. */
export function toSyncRun(row: SyncHistory): SyncRun {
  return {
    id: row.id,
    crmSource: row.crmSource,
    syncType: row.syncType,
    endpoint: row.endpoint,
    status: row.status as RunStatus,
    mode: row.mode as SyncMode,
    trigger: row.trigger as RunTrigger,
    dryRun: row.dryRun,
    startTime: row.startTime,
    endTime: row.endTime,
    counts: {
      processed: row.recordsProcessed,
      created: row.recordsCreated,
      updated: row.recordsUpdated,
      unchanged: row.recordsUnchanged,
      deleted: row.recordsDeleted,
      failed: row.recordsFailed,
    },
    errorMessage: row.errorMessage,
    errorKind: row.errorKind as ErrorKind | null,
    configuration: (row.configuration ?? {}) as Record<string, unknown>,
    performanceMetrics: (row.performanceMetrics ?? null) as PerformanceMetrics | null,
    sinceTime: row.sinceTime,
    highWaterMark: row.highWaterMark,
    checkpoint: (row.checkpoint ?? null) as Checkpoint | null,
    resumedFromRunId: row.resumedFromRunId,
    workerId: row.workerId,
    heartbeatAt: row.heartbeatAt,
    leaseMs: row.leaseMs,
  };
}

export function toSyncEvent(row: SyncEventRow): SyncEvent {
  return {
    id: String(row.id),
    runId: row.runId,
    at: row.at,
    level: row.level as EventLevel,
    message: row.message,
    recordId: row.recordId,
    details: (row.details ?? null) as Record<string, unknown> | null,
  };
}

/**
 * How a database's driver carries the values SQL has no common type for. SQLite keeps times
 * as integer milliseconds (as the Prisma client is configured to), booleans as 0/1 and JSON
 * as text; PostgreSQL has timestamp(3), boolean and jsonb.
 */
export interface ColumnCodec {
  time(date: Date): unknown;
  readTime(value: unknown): Date;
  /** A JSON parameter, as text. */
  json(value: unknown): unknown;
  readJson(value: unknown): unknown;
  bool(value: boolean): unknown;
  readBool(value: unknown): boolean;
}

type Kind = 'plain' | 'time' | 'json' | 'bool';

/** `sync_history`'s columns, the `SyncHistory` field each maps to, and how it is stored. */
const RUN_FIELDS: ReadonlyArray<readonly [string, keyof SyncHistory, Kind]> = [
  ['id', 'id', 'plain'],
  ['crm_source', 'crmSource', 'plain'],
  ['sync_type', 'syncType', 'plain'],
  ['endpoint', 'endpoint', 'plain'],
  ['status', 'status', 'plain'],
  ['mode', 'mode', 'plain'],
  ['trigger', 'trigger', 'plain'],
  ['dry_run', 'dryRun', 'bool'],
  ['start_time', 'startTime', 'time'],
  ['end_time', 'endTime', 'time'],
  ['records_processed', 'recordsProcessed', 'plain'],
  ['records_created', 'recordsCreated', 'plain'],
  ['records_updated', 'recordsUpdated', 'plain'],
  ['records_unchanged', 'recordsUnchanged', 'plain'],
  ['records_deleted', 'recordsDeleted', 'plain'],
  ['records_failed', 'recordsFailed', 'plain'],
  ['error_message', 'errorMessage', 'plain'],
  ['error_kind', 'errorKind', 'plain'],
  ['configuration', 'configuration', 'json'],
  ['performance_metrics', 'performanceMetrics', 'json'],
  ['since_time', 'sinceTime', 'time'],
  ['high_water_mark', 'highWaterMark', 'time'],
  ['checkpoint', 'checkpoint', 'json'],
  ['resumed_from_run_id', 'resumedFromRunId', 'plain'],
  ['worker_id', 'workerId', 'plain'],
  ['heartbeat_at', 'heartbeatAt', 'time'],
  ['lease_ms', 'leaseMs', 'plain'],
];

/** SELECT of whole `sync_history` rows, each column named as its `SyncHistory` field. */
export const SELECT_RUN = `SELECT ${RUN_FIELDS.map(([column, field]) => `${column} AS "${field}"`).join(', ')} FROM sync_history`;

/** A row read with SELECT_RUN through the driver, as the contract's `SyncRun`. */
export function runFromRow(row: Record<string, unknown>, codec: ColumnCodec): SyncRun {
  const history: Record<string, unknown> = {};
  for (const [, field, kind] of RUN_FIELDS) {
    const value = row[field];
    history[field] =
      value === null || value === undefined
        ? null
        : kind === 'time'
          ? codec.readTime(value)
          : kind === 'json'
            ? codec.readJson(value)
            : kind === 'bool'
              ? codec.readBool(value)
              : value;
  }
  return toSyncRun(history as unknown as SyncHistory);
}

/** The INSERT of a new run's row, with `param(n)` (1-based) as each placeholder. */
export function insertRun(
  run: SyncRun,
  codec: ColumnCodec,
  param: (n: number) => string,
): { sql: string; values: unknown[] } {
  const history: Record<string, unknown> = {
    ...run,
    recordsProcessed: run.counts.processed,
    recordsCreated: run.counts.created,
    recordsUpdated: run.counts.updated,
    recordsUnchanged: run.counts.unchanged,
    recordsDeleted: run.counts.deleted,
    recordsFailed: run.counts.failed,
  };
  const values = RUN_FIELDS.map(([, field, kind]) => {
    const value = history[field];
    if (value === null || value === undefined) return null;
    if (kind === 'time') return codec.time(value as Date);
    if (kind === 'json') return codec.json(value);
    if (kind === 'bool') return codec.bool(value as boolean);
    return value;
  });
  const columns = RUN_FIELDS.map(([column]) => column).join(', ');
  const params = RUN_FIELDS.map((_, i) => param(i + 1)).join(', ');
  return { sql: `INSERT INTO sync_history (${columns}) VALUES (${params})`, values };
}
