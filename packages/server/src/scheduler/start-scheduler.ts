import { hostname } from 'node:os';
import { InputError, type SyncHook } from '@crmsync/core';
import { Agenda, type AgendaBackend, type Job } from 'agenda';
import type { SchedulerHealth } from '../runtime/api-runtime.js';
import type { Crmsync } from '../app.js';
import { createAgendaBackend, parseAgendaUrl, resolveAgendaUrl } from './agenda-backend.js';
import { CrmSlots } from './crm-slots.js';
import { defineRepeatingJobs, type RepeatingJob } from './repeating-job.js';
import { AgendaScheduleService } from './schedule-service.js';
import { useScheduleLock, usePauseOnAuth, useScheduleRecord } from './sync-hooks.js';
import { SYNC_JOB, type SyncJobData } from './sync-job.js';
import { WorkerRegistry } from './worker-registry.js';

export interface StartSchedulerOptions {
  app: Crmsync;
  /** Written into the workers table and on Agenda's locks; default `<hostname>:<pid>`. */
  workerId?: string;
  /** Agenda's store; default `CRMSYNC_AGENDA_URL`, then the app's own database. */
  agendaUrl?: string;
  env?: Record<string, string | undefined>;
  /** Run jobs here (default true). `crmsync server` and `crmsync schedule` only mirror. */
  processJobs?: boolean;
  /** Bring Agenda in line with `sync_schedule` on start (default true). */
  mirror?: boolean;
  /** `worker` or `start`, shown in health. */
  kind?: string;
  /** How often Agenda looks for due jobs; default 5 s. */
  processEveryMs?: number;
  /**
   * A job lock not renewed for this long is taken for abandoned, and the job is free for
   * another worker; renewed every third of it while the sync runs. Default 2 min.
   */
  lockLifetimeMs?: number;
  /** Syncs at once in this process; default 4. */
  maxConcurrency?: number;
  /** Syncs of one CRM at once in this process; default 1. */
  perCrmConcurrency?: number;
  heartbeatMs?: number;
  /** How often runs left `running` by dead processes are finished as interrupted; default 30 s. */
  reapEveryMs?: number;
  /** How long stop() waits for aborted syncs to finish; default 30 s. */
  stopTimeoutMs?: number;
  /** Hooks on every sync this scheduler starts (e.g. `useEventBridge` to other processes). */
  hooks?: SyncHook[];
  /** Housekeeping run by one worker at a time besides the syncs (webhook renewal). */
  jobs?: readonly RepeatingJob[];
}

export interface Scheduler {
  readonly agenda: Agenda;
  /** For `startApiServer({ schedules })`: mutations reach Agenda at once. */
  readonly service: AgendaScheduleService;
  readonly workerId: string;
  health(): Promise<SchedulerHealth>;
  /** Stops taking jobs, aborts running syncs (their runs finish `failed`, "cancelled: …"), waits for them. */
  stop(): Promise<void>;
}

/**
 * Starts Agenda for crmsync: the `crmsync:sync` job type, schedules mirrored from
 * `sync_schedule`, heartbeats, and the reaper of runs whose process died.
 *
 * @example
 * const app = await createCrmsync();
 * const scheduler = await startScheduler({ app });
 * await startApiServer({ runtime: apiRuntimeFromApp(app, { schedulerHealth: scheduler.health }), schedules: scheduler.service });
 * process.once('SIGTERM', () => scheduler.stop().then(() => app.close()));
 */
export async function startScheduler(options: StartSchedulerOptions): Promise<Scheduler> {
  const { app } = options;
  const env = options.env ?? process.env;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}`;
  const processJobs = options.processJobs ?? true;
  // Short, because a dead worker's job waits this long before another worker may take it;
  // safe, because a running sync renews its lock every third of it.
  const lockLifetime = options.lockLifetimeMs ?? 2 * 60_000;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const prisma = app.store.prisma;
  const logger = app.logger.child('crmsync:scheduler');

  const url = options.agendaUrl ?? resolveAgendaUrl(app.store.target, env);
  const backend: AgendaBackend = createAgendaBackend(parseAgendaUrl(url, app.cwd));
  const agenda = new Agenda({
    backend,
    name: workerId,
    processEvery: options.processEveryMs ?? 5_000,
    maxConcurrency: options.maxConcurrency ?? 4,
    // Lock no more jobs than can run: due jobs beyond that stay for the other workers.
    lockLimit: options.maxConcurrency ?? 4,
    defaultLockLifetime: lockLifetime,
  });
  agenda.on('error', (error: Error) => logger.warn(`agenda: ${error.message}`));
  await agenda.ready;

  const service = new AgendaScheduleService(prisma, agenda, logger);
  const pauseOnAuth = usePauseOnAuth(service, logger);
  const workers = new WorkerRegistry(prisma, app.store.provider);
  const slots = new CrmSlots(options.perCrmConcurrency ?? 1);
  const running = new Set<AbortController>();
  const startedAt = new Date();
  let stopped = false;
  const beat = () =>
    workers
      .beat({ id: workerId, kind: options.kind ?? 'worker', startedAt, activeJobs: running.size })
      .catch((e: unknown) => logger.warn(`heartbeat failed: ${String(e)}`));

  async function runSyncJob(job: Job<SyncJobData>): Promise<void> {
    const { crm, entity, options: raw, scheduleId } = job.attrs.data;
    if (scheduleId) {
      const row = await prisma.syncSchedule.findUnique({ where: { id: scheduleId } });
      if (!row) {
        await job.remove();
        return;
      }
      if (!row.enabled) return;
      await prisma.syncSchedule.update({
        where: { id: scheduleId },
        data: { nextRun: job.attrs.nextRunAt ?? null },
      });
    }
    const controller = new AbortController();
    running.add(controller);
    void beat();
    const lock = useScheduleLock(job, lockLifetime, logger);
    let release: (() => void) | undefined;
    try {
      // Raw flags as the API and `crmsync schedule add` store them; plugin options apart.
      const { pluginOptions, ...flags } = raw;
      const request = app.syncs.parse({ crm, entity, flags, pluginOptions });
      release = await slots.acquire(crm, controller.signal);
      await app.syncs.run(request, {
        trigger: 'schedule',
        signal: controller.signal,
        hooks: [
          lock,
          ...(scheduleId ? [useScheduleRecord(prisma, scheduleId)] : []),
          pauseOnAuth,
          ...(options.hooks ?? []),
        ],
      });
    } catch (error) {
      if (controller.signal.aborted) return;
      // Bad options or a plugin that is not configured: retrying every interval cannot help.
      // Anything else (a database hiccup) is left to the next due time.
      if (scheduleId && error instanceof InputError)
        await service.pause(scheduleId, `could not start: ${error.message}`);
      throw error;
    } finally {
      lock.release();
      release?.();
      running.delete(controller);
      if (!stopped) void beat();
    }
  }

  agenda.define<SyncJobData>(SYNC_JOB, runSyncJob, {
    concurrency: options.maxConcurrency ?? 4,
    lockLifetime,
  });

  // Agenda fills a worker's queue only on its poll (`processEvery`) or on a notification, not
  // when a job finishes: a worker that ran its `lockLimit` jobs would sit idle until the next
  // poll while due jobs wait. A finished sync therefore announces itself as a due job: every
  // worker with a free slot (this one included, its lock already released by then) takes the
  // next one at once. Only jobs with a local definition and a due time within the scan
  // window are acted on, so `nextRunAt` is now.
  agenda.on(`complete:${SYNC_JOB}`, (job, remote?: boolean) => {
    // Other workers' completions arrive here too (Agenda's state channel): theirs announce themselves.
    if (remote || stopped || !processJobs) return;
    const channel = backend.notificationChannel;
    if (channel?.state !== 'connected') return;
    channel
      .publish({
        jobId: job.attrs._id,
        jobName: SYNC_JOB,
        nextRunAt: new Date(),
        priority: 0,
        timestamp: new Date(),
        source: workerId,
      })
      .catch((e: unknown) => logger.warn(`could not announce a free slot: ${String(e)}`));
  });

  const housekeeping = defineRepeatingJobs(agenda, processJobs ? (options.jobs ?? []) : [], logger);

  if (options.mirror ?? true) await service.mirrorAll();

  const timers: NodeJS.Timeout[] = [];
  if (processJobs) {
    await beat();
    timers.push(setInterval(beat, heartbeatMs));
    const reap = () =>
      app.engine.reapStaleRuns().catch((e: unknown) => logger.warn(`reaper: ${String(e)}`));
    timers.push(setInterval(reap, options.reapEveryMs ?? 30_000));
    await housekeeping.schedule();
    await agenda.start();
  }

  return {
    agenda,
    service,
    workerId,
    async health() {
      const alive = await workers.list(new Date(Date.now() - Math.max(3 * heartbeatMs, 60_000)));
      const due = await agenda.db.getQueueSize().catch(() => null);
      const active = alive.reduce((n, w) => n + w.activeJobs, 0);
      return {
        running: (processJobs && !stopped) || alive.length > 0,
        processesJobs: processJobs,
        message:
          alive.length === 0
            ? 'no worker has sent a heartbeat recently: schedules will not run (start crmsync worker or crmsync start)'
            : `${alive.length} worker(s), ${active} sync job(s) running${due === null ? '' : `, ${due} job(s) due`}`,
        workers: alive.map((w) => ({
          id: w.id,
          lastSeenAt: w.lastSeenAt,
          activeJobs: w.activeJobs,
        })),
      };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearInterval(t);
      for (const c of running) c.abort(new Error('crmsync is shutting down'));
      housekeeping.abort(new Error('crmsync is shutting down'));
      if (processJobs) {
        await agenda.drain({ timeout: options.stopTimeoutMs ?? 30_000 });
        await workers.remove(workerId).catch(() => undefined);
      } else {
        await backend.disconnect();
      }
    },
  };
}
