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
