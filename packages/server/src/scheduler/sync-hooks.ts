import type { Logger, SyncHook } from '@crmsync/core';
import type { Job } from 'agenda';
import type { PrismaClient } from '../store/index.js';
import type { AgendaScheduleService } from './schedule-service.js';

/**
 * Keeps an Agenda job's lock while its sync runs — on every progress event and on a timer for
 * the quiet stretches — so a long sync is never taken for dead. `release()` stops the timer.
 */
export function useScheduleLock(
  job: Pick<Job, 'touch'>,
  lockLifetimeMs: number,
  logger: Logger,
): SyncHook & { release(): void } {
  let lastTouch = Date.now();
  const touch = () => {
    if (Date.now() - lastTouch < Math.min(lockLifetimeMs / 4, 30_000)) return;
    lastTouch = Date.now();
    job.touch().catch((e: unknown) => logger.warn(`could not renew job lock: ${String(e)}`));
  };
  const timer = setInterval(touch, Math.max(1_000, lockLifetimeMs / 3));
  const release = () => clearInterval(timer);
  return {
    onRunEvent: (event) => {
      if (event.type === 'run-progress') touch();
    },
    onSyncDone: release,
    release,
  };
}

/** Writes each run of a scheduled sync on its `sync_schedule` row as the last run. */
export function useScheduleRecord(prisma: PrismaClient, scheduleId: string): SyncHook {
  const record = (runId: string) =>
    prisma.syncSchedule.updateMany({ where: { id: scheduleId }, data: { lastRunId: runId } });
  return {
    onRunStarted: (run) => void record(run.id).catch(() => undefined),
    onSyncDone: async (runs) => {
      const last = runs.at(-1);
      if (last) await record(last.id);
    },
  };
}

/**
 * When the CRM rejects the credentials, pauses all of its schedules with the reason, instead
 * of failing every interval until someone notices.
 */
export function usePauseOnAuth(
  schedules: Pick<AgendaScheduleService, 'pauseCrm'>,
  logger: Logger,
): SyncHook {
  return {
    onSyncDone: async (runs) => {
      const rejected = runs.find((r) => r.errorKind === 'auth');
      if (!rejected) return;
      const crm = rejected.crmSource;
      const paused = await schedules.pauseCrm(
        crm,
        `${crm} rejected the credentials in run ${rejected.id} (${rejected.errorMessage ?? 'auth error'}); fix them and resume`,
      );
      logger.warn(`paused ${paused.length} schedule(s) of ${crm}: credentials rejected`);
    },
  };
}
