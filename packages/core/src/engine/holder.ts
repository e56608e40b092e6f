import { hostname } from 'node:os';
import { CrmsyncError, type RunningRunInfo } from '../contracts/errors.js';
import type { SyncRun } from '../contracts/run.js';
import type { Store } from '../contracts/store.js';

/** The worker id a run records by default: the host and process that run it. */
export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * The runs this process is executing now. A running row of this process that is not among them
 * was left behind (its finish could not be written): it holds nothing any more.
 */
export const liveRunIds = new Set<string>();

/**
 * The `beginRun` calls of this process not yet answered. Between the store writing a run's row
 * and this process adding its id to `liveRunIds`, the row looks left behind; while a begin is in
 * flight, a running row of this process is taken as alive (refused, not reaped).
 */
let beginsInFlight = 0;

/** Runs `begin` (a store's `beginRun`) counted as in flight, adding the run it writes to the live ones. */
export async function beginCounted(begin: () => Promise<SyncRun>): Promise<SyncRun> {
  beginsInFlight++;
  try {
    const run = await begin();
    liveRunIds.add(run.id);
    return run;
  } finally {
    beginsInFlight--;
  }
}

/** Whether a process of this machine is alive (signal 0 checks without sending anything). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by another user.
    return (error as { code?: string }).code === 'EPERM';
  }
}

/**
 * Why the process holding a running run is provably gone, or null when it may be alive: its
 * heartbeat (or start) is older than its lease, or its worker id names this host and a pid
 * that no longer exists (a `kill -9`, a crash). A worker id without `host:pid` is judged by
 * the lease alone.
 */
export function deadHolderReason(
  holder: Pick<RunningRunInfo, 'id' | 'workerId' | 'startTime' | 'heartbeatAt' | 'leaseMs'>,
  now: Date,
): string | null {
  const last = holder.heartbeatAt ?? holder.startTime;
  if (now.getTime() - last.getTime() > holder.leaseMs)
    return `the process running it (${holder.workerId ?? 'unknown worker'}) stopped sending heartbeats at ${last.toISOString()}`;
  const match = /^(.+):(\d+)$/.exec(holder.workerId ?? '');
  if (!match) return null;
  const pid = Number(match[2]);
  if (match[1] !== hostname()) return null;
  if (pid === process.pid)
    return liveRunIds.has(holder.id) || beginsInFlight > 0
      ? null
      : `its process (${holder.workerId}) is no longer running it (its end could not be saved)`;
  if (processAlive(pid)) return null;
  return `the process running it (${holder.workerId}) is gone`;
}

/**
 * Finishes a dead process's run as `failed` ("interrupted"), keeping its checkpoint so the next
 * run resumes from it. Null when another process finished or reaped it first.
 */
export async function reapInterrupted(
  store: Store,
  runId: string,
  why: string,
  now: Date = new Date(),
): Promise<SyncRun | null> {
  const run = await store.getRun(runId);
  if (run?.status !== 'running') return null;
  try {
    return await store.finishRun(run.id, {
      status: 'failed',
      counts: run.counts,
      errorMessage: `interrupted: ${run.crmSource} ${run.syncType}: ${why}`,
      errorKind: 'system',
      performanceMetrics: run.performanceMetrics,
      highWaterMark: run.highWaterMark,
      checkpoint: run.checkpoint,
      endTime: now,
    });
  } catch (error) {
    if (error instanceof CrmsyncError) return null;
    throw error;
  }
}
