import type {
  BeginRunInput,
  FinishRunInput,
  RunProgressUpdate,
  RunStatus,
  SyncRun,
} from './run.js';

export interface RunQuery {
  crmSource?: string;
  syncType?: string;
  status?: RunStatus;
  startedAfter?: Date;
  startedBefore?: Date;
  limit?: number;
}

/** The run capability of a store: the history rows of runs, and the one-running-run rule. */
export interface RunStore {
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
}
