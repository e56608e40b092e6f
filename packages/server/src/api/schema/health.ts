import type { ApiContext } from '../request-context.js';
import type { SchedulerHealth } from '../../runtime/api-runtime.js';
import type { CrmHealth, DatabaseHealth, EventBusHealth } from '../health-monitor.js';
import { builder } from './builder.js';

const ageSeconds = (checkedAt: Date | null) =>
  checkedAt ? Math.max(0, Math.round((Date.now() - checkedAt.getTime()) / 100) / 10) : null;

const DatabaseHealthRef = builder.objectRef<DatabaseHealth>('DatabaseHealth').implement({
  fields: (t) => ({
    provider: t.exposeString('provider', { description: 'sqlite | postgresql' }),
    reachable: t.exposeBoolean('reachable'),
    latencyMs: t.exposeFloat('latencyMs', { nullable: true }),
    message: t.exposeString('message', { nullable: true }),
    checkedAt: t.expose('checkedAt', { type: 'DateTime' }),
    ageSeconds: t.float({ nullable: true, resolve: (h) => ageSeconds(h.checkedAt) }),
  }),
});

const WorkerRef = builder
  .objectRef<SchedulerHealth['workers'][number]>('SchedulerWorker')
  .implement({
    fields: (t) => ({
      id: t.exposeString('id'),
      lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', nullable: true }),
      activeJobs: t.exposeInt('activeJobs'),
    }),
  });

const SchedulerHealthRef = builder.objectRef<SchedulerHealth>('SchedulerHealth').implement({
  fields: (t) => ({
    running: t.exposeBoolean('running'),
    message: t.exposeString('message', { nullable: true }),
    workers: t.field({ type: [WorkerRef], resolve: (s) => s.workers }),
  }),
});

const CrmHealthRef = builder.objectRef<CrmHealth>('CrmHealth').implement({
  description:
    'A CRM’s API as the background check last found it (checked every 30 s, 3 s per check).',
  fields: (t) => ({
    crm: t.exposeString('crm'),
    configured: t.exposeBoolean('configured'),
    reachable: t.exposeBoolean('reachable', { nullable: true }),
    latencyMs: t.exposeFloat('latencyMs', { nullable: true }),
    message: t.exposeString('message', {
      nullable: true,
      description:
        'Why it is unreachable (“Access denied: …”, “Connection refused: …”), or a note.',
    }),
    checkedAt: t.expose('checkedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When this answer was taken; null before the first check ended.',
    }),
    ageSeconds: t.float({ nullable: true, resolve: (h) => ageSeconds(h.checkedAt) }),
  }),
});

const EventBusHealthRef = builder.objectRef<EventBusHealth>('EventBusHealth').implement({
  description: 'Where run events travel between processes: redis | postgresql | in-process.',
  fields: (t) => ({
    kind: t.exposeString('kind'),
    reachable: t.exposeBoolean('reachable'),
    latencyMs: t.exposeFloat('latencyMs', { nullable: true }),
    message: t.exposeString('message', { nullable: true }),
    checkedAt: t.expose('checkedAt', { type: 'DateTime', nullable: true }),
    ageSeconds: t.float({ nullable: true, resolve: (h) => ageSeconds(h.checkedAt) }),
  }),
});

const SystemHealthRef = builder.objectRef<ApiContext>('SystemHealth').implement({
  description: 'Database, scheduler and workers, and each configured CRM’s API.',
  fields: (t) => ({
    database: t.field({ type: DatabaseHealthRef, resolve: (ctx) => ctx.health.database() }),
    scheduler: t.field({ type: SchedulerHealthRef, resolve: (ctx) => schedulerHealth(ctx) }),
    crms: t.field({
      type: [CrmHealthRef],
      description: 'Cached answers of the background checks: served at once.',
      resolve: (ctx) => ctx.health.crms(),
    }),
    eventBus: t.field({ type: EventBusHealthRef, resolve: (ctx) => ctx.health.eventBus() }),
  }),
});

/**
 * Processes running syncs now, from the `running` rows of sync_history (their worker id and
 * freshest heartbeat): what a server without the scheduler in-process can still tell.
 */
async function workersFromHistory(ctx: ApiContext): Promise<SchedulerHealth['workers']> {
  const running = await ctx.prisma.syncHistory.findMany({
    where: { status: 'running' },
    select: { workerId: true, heartbeatAt: true, startTime: true },
    take: 1_000,
  });
  const byWorker = new Map<string, { lastSeenAt: Date; activeJobs: number }>();
  for (const run of running) {
    const id = run.workerId ?? 'unknown';
    const seen = run.heartbeatAt ?? run.startTime;
    const entry = byWorker.get(id) ?? { lastSeenAt: seen, activeJobs: 0 };
    entry.activeJobs += 1;
    if (seen > entry.lastSeenAt) entry.lastSeenAt = seen;
    byWorker.set(id, entry);
  }
  return [...byWorker].map(([id, w]) => ({ id, ...w })).sort((a, b) => a.id.localeCompare(b.id));
}

/** The scheduler in this process, or the workers seen in sync_history. */
export function schedulerHealth(ctx: ApiContext): Promise<SchedulerHealth> {
  return ctx.health.scheduler(async () => ({
    running: false,
    message:
      'The scheduler is not running in this process; workers are those with runs in progress',
    workers: await workersFromHistory(ctx),
  }));
}

builder.queryField('systemHealth', (t) =>
  t.field({ type: SystemHealthRef, resolve: (_root, _args, ctx) => ctx }),
);
