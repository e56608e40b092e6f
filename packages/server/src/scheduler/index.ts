export {
  type AgendaTarget,
  createAgendaBackend,
  parseAgendaUrl,
  resolveAgendaUrl,
} from './agenda-backend.js';
export { AgendaScheduleService } from './schedule-service.js';
export { SqliteBackend, type SqliteBackendOptions } from './sqlite-backend.js';
export { SqliteJobRepository } from './sqlite-job-repository.js';
export { defineRepeatingJobs, type RepeatingJob } from './repeating-job.js';
export { type Scheduler, type StartSchedulerOptions, startScheduler } from './start-scheduler.js';
export { SYNC_JOB, type SyncJobData } from './sync-job.js';
export { type WorkerBeat, WorkerRegistry } from './worker-registry.js';
export { demoPlugin, ensureDemoSchedule } from './demo-schedule.js';
export {
  type EventsTarget,
  openRunEventBridge,
  type RunEventBridge,
  resolveEventsTarget,
  useEventBridge,
} from './run-event-bridge.js';
export { usePauseOnAuth, useScheduleLock, useScheduleRecord } from './sync-hooks.js';
