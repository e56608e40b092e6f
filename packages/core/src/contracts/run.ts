import type { PerformanceMetrics } from './metrics.js';
import type { Checkpoint, SyncMode } from './plugin.js';

/** A run's mode: a sync's, or a write operation's (a push of local changes, a mass update). */
export type RunMode = SyncMode | 'push' | 'mass-update';

/** Exactly these four values, as in the source documents' SyncHistory. */
export type RunStatus = 'running' | 'success' | 'partial' | 'failed';

export type RunTrigger = 'cli' | 'schedule' | 'api' | 'webhook' | 'library';

export type ErrorKind =
  | 'auth'
  | 'rate_limit'
  | 'transient'
  | 'data'
  | 'system'
  | 'config'
  | 'cancelled'
  /** The database refused or lost the connection (not a bad record): retried, then the run fails. */
  | 'store';

/** The universal flags, as a run receives them. */
export interface SyncOptions {
  full?: boolean;
  force?: boolean;
  startDate?: Date;
  endDate?: Date;
  dryRun?: boolean;
  batchSize?: number;
  maxRecords?: number;
  skipValidation?: boolean;
  /** `strict` makes a record with an invalid field fail; default `lenient`. */
  strictValidation?: boolean;
  debug?: boolean;
  /** The plugin's own options. */
  pluginOptions?: Record<string, unknown>;
}

export interface RunCounts {
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
}

/** One row of `sync_history`. */
export interface SyncRun {
  id: string;
  crmSource: string;
  syncType: string;
  /** The entity or endpoint the run read (informational, e.g. `/crm/v3/objects/contacts`). */
  endpoint: string | null;
  status: RunStatus;
  mode: RunMode;
  trigger: RunTrigger;
  dryRun: boolean;
  startTime: Date;
  endTime: Date | null;
  counts: RunCounts;
  errorMessage: string | null;
  errorKind: ErrorKind | null;
  /** Options the run used (secrets never included). */
  configuration: Record<string, unknown>;
  performanceMetrics: PerformanceMetrics | null;
  /** Lower bound the delta asked for. */
  sinceTime: Date | null;
  /** Highest remote timestamp seen. */
  highWaterMark: Date | null;
  checkpoint: Checkpoint | null;
  /** Set when this run resumed an interrupted run's checkpoint. */
  resumedFromRunId: string | null;
  workerId: string | null;
  heartbeatAt: Date | null;
  /** A run whose heartbeat is older than this is considered dead. */
  leaseMs: number;
}

export interface BeginRunInput {
  crmSource: string;
  syncType: string;
  endpoint?: string | null;
  mode: RunMode;
  trigger: RunTrigger;
  dryRun: boolean;
  configuration: Record<string, unknown>;
  sinceTime?: Date | null;
  resumedFromRunId?: string | null;
  workerId?: string | null;
  leaseMs: number;
  startTime?: Date;
}

export interface RunProgressUpdate {
  counts: RunCounts;
  checkpoint?: Checkpoint | null;
  highWaterMark?: Date | null;
  heartbeatAt: Date;
}

export interface FinishRunInput {
  status: Exclude<RunStatus, 'running'>;
  counts: RunCounts;
  errorMessage?: string | null;
  errorKind?: ErrorKind | null;
  performanceMetrics: PerformanceMetrics | null;
  highWaterMark?: Date | null;
  checkpoint?: Checkpoint | null;
  endTime?: Date;
}

export type EventLevel = 'debug' | 'info' | 'warn' | 'error';

/** One row of `sync_event`: the per-run log shown in the dashboard. */
export interface SyncEventInput {
  runId: string;
  level: EventLevel;
  message: string;
  recordId?: string | null;
  details?: Record<string, unknown> | null;
  at?: Date;
}

export interface SyncEvent extends Required<Omit<SyncEventInput, 'at'>> {
  id: string;
  at: Date;
}
