import type { ApiContext } from '../request-context.js';
import type { SchedulerHealth } from '../../runtime/api-runtime.js';
import { builder } from './builder.js';

const HEALTH_TIMEOUT_MS = 5_000;

interface DatabaseHealth {
  provider: string;
  reachable: boolean;
  latencyMs: number | null;
  message: string | null;
}

interface CrmHealth {
  crm: string;
  configured: boolean;
  /** Null when the plugin has no health check or is not configured. */
  reachable: boolean | null;
  latencyMs: number | null;
  message: string | null;
}

const DatabaseHealthRef = builder.objectRef<DatabaseHealth>('DatabaseHealth').implement({
  fields: (t) => ({
    provider: t.exposeString('provider', { description: 'sqlite | postgresql' }),
    reachable: t.exposeBoolean('reachable'),
    latencyMs: t.exposeFloat('latencyMs', { nullable: true }),
    message: t.exposeString('message', { nullable: true }),
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
  fields: (t) => ({
    crm: t.exposeString('crm'),
    configured: t.exposeBoolean('configured'),
    reachable: t.exposeBoolean('reachable', { nullable: true }),
    latencyMs: t.exposeFloat('latencyMs', { nullable: true }),
    message: t.exposeString('message', { nullable: true }),
  }),
});

const SystemHealthRef = builder.objectRef<ApiContext>('SystemHealth').implement({
  description: 'Database, scheduler and workers, and each configured CRM’s API.',
  fields: (t) => ({
    database: t.field({ type: DatabaseHealthRef, resolve: (ctx) => databaseHealth(ctx) }),
    scheduler: t.field({ type: SchedulerHealthRef, resolve: (ctx) => schedulerHealth(ctx) }),
    crms: t.field({ type: [CrmHealthRef], resolve: (ctx) => crmHealth(ctx) }),
  }),
});

/** A promise that rejects after `ms`, aborting `controller` so the check stops too. */
function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([work(controller.signal), timeout]).finally(() => clearTimeout(timer));
}

async function databaseHealth(ctx: ApiContext): Promise<DatabaseHealth> {
  try {
    const latencyMs = await withTimeout(() => ctx.runtime.ping(), HEALTH_TIMEOUT_MS);
    return {
      provider: ctx.runtime.provider,
      reachable: true,
      latencyMs: Math.round(latencyMs * 100) / 100,
      message: null,
    };
  } catch (error) {
    return {
      provider: ctx.runtime.provider,
      reachable: false,
      latencyMs: null,
      message: (error as Error).message,
    };
  }
}

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

async function schedulerHealth(ctx: ApiContext): Promise<SchedulerHealth> {
  if (!ctx.runtime.schedulerHealth) {
    return {
      running: false,
      message:
        'The scheduler is not running in this process; workers are those with runs in progress',
      workers: await workersFromHistory(ctx),
    };
  }
  try {
    return await withTimeout(() => ctx.runtime.schedulerHealth!(), HEALTH_TIMEOUT_MS);
  } catch (error) {
    return { running: false, message: (error as Error).message, workers: [] };
  }
}

function crmHealth(ctx: ApiContext): Promise<CrmHealth[]> {
  return Promise.all(
    ctx.runtime.plugins.map(async (p): Promise<CrmHealth> => {
      const base = { crm: p.plugin.name, configured: p.configured };
      if (!p.configured)
        return { ...base, reachable: null, latencyMs: null, message: 'not configured' };
      if (!p.health)
        return { ...base, reachable: null, latencyMs: null, message: 'no health check' };
      const check = p.health;
      try {
        const result = await withTimeout((signal) => check(signal), HEALTH_TIMEOUT_MS);
        return {
          ...base,
          reachable: result.ok,
          latencyMs: result.latencyMs,
          message: result.message ?? null,
        };
      } catch (error) {
        return { ...base, reachable: false, latencyMs: null, message: (error as Error).message };
      }
    }),
  );
}

builder.queryField('systemHealth', (t) =>
  t.field({ type: SystemHealthRef, resolve: (_root, _args, ctx) => ctx }),
);
