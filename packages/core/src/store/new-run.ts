import { RunAlreadyRunningError } from '../contracts/errors.js';
import type { BeginRunInput, SyncRun } from '../contracts/run.js';

/** The history row `beginRun` creates: running, nothing counted yet. Every store starts here. */
export function newRun(id: string, input: BeginRunInput): SyncRun {
  return {
    id,
    crmSource: input.crmSource,
    syncType: input.syncType,
    endpoint: input.endpoint ?? null,
    status: 'running',
    mode: input.mode,
    trigger: input.trigger,
    dryRun: input.dryRun,
    startTime: input.startTime ?? new Date(),
    endTime: null,
    counts: { processed: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 },
    errorMessage: null,
    errorKind: null,
    configuration: input.configuration ?? {},
    performanceMetrics: null,
    sinceTime: input.sinceTime ?? null,
    highWaterMark: null,
    checkpoint: null,
    resumedFromRunId: input.resumedFromRunId ?? null,
    workerId: input.workerId ?? null,
    heartbeatAt: null,
    leaseMs: input.leaseMs,
  };
}

/**
 * The refusal of a `beginRun` whose (crm, entity) is held by `holder`, a running non-dry run.
 * Dry runs write no record, so they neither hold an entity nor are refused by one.
 */
export function alreadyRunning(holder: SyncRun): RunAlreadyRunningError {
  return new RunAlreadyRunningError({
    id: holder.id,
    crmSource: holder.crmSource,
    syncType: holder.syncType,
    trigger: holder.trigger,
    workerId: holder.workerId,
    startTime: holder.startTime,
    heartbeatAt: holder.heartbeatAt,
    leaseMs: holder.leaseMs,
  });
}
