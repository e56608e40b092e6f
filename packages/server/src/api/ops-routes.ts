import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpRequestAuthorized } from '../auth/token.js';
import { scrubText } from '../auth/secrets.js';
import type { ApiRuntime } from '../runtime/api-runtime.js';
import { loadMigrations } from '../store/migrations.js';
import type { HealthMonitor } from './health-monitor.js';
import { withTimeout } from './health-monitor.js';
import type { ApiMetrics } from './metrics.js';
import {
  charts,
  crmStatusRows,
  failureGroups,
  isCancelled,
  overview,
} from './monitoring-queries.js';
import type { ApiContext } from './request-context.js';
import { schedulerHealth } from './schema/health.js';
import { durationSeconds } from './schema/runs.js';

/** The read-only JSON endpoints (the seed's monitoring API), each under this prefix. */
export const DASHBOARD_API_PREFIX = '/api/dashboard/';

export interface OpsRoutesOptions {
  context: ApiContext;
  metrics: ApiMetrics;
  apiToken: string | null;
  /** How long /readyz waits for the database. */
  readyTimeoutMs?: number;
}

type Json = Record<string, unknown>;

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

/**
 * `GET /healthz` (liveness: the process answers), `GET /readyz` (database reachable, every
 * shipped migration applied, and the scheduler running when this process runs jobs: 503 with
 * the failing checks otherwise; no live worker under an API-only server is a warning),
 * `GET /metrics` (Prometheus text) and the five JSON endpoints under `/api/dashboard/`. The
 * JSON endpoints and /metrics need the API token when one is set (bearer or the dashboard's
 * cookie); the probes do not, and say nothing secret. Returns true when it answered.
 */
export function createOpsRoutes(options: OpsRoutesOptions) {
  const { context, metrics, apiToken } = options;
  const { runtime, health } = context;
  const readyTimeoutMs = options.readyTimeoutMs ?? 2_000;
  const expectedMigrations = loadMigrations(runtime.provider).map((m) => m.name);
  const scrub = (text: string) => scrubText(text, runtime.secretValues());

  const endpoints: Record<string, () => Promise<Json>> = {
    stats: () => statsJson(runtime),
    'crm-status': () => crmStatusJson(runtime),
    'recent-syncs': () => recentSyncsJson(runtime),
    'system-health': () => systemHealthJson(context, health),
    'performance-charts': () => chartsJson(runtime),
    failures: () => failuresJson(runtime),
  };

  return (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    const known =
      path === '/healthz' ||
      path === '/readyz' ||
      path === '/metrics' ||
      path.startsWith(DASHBOARD_API_PREFIX);
    if (!known) return false;
    const send = (status: number, body: string, type = 'application/json; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const sendJson = (status: number, body: unknown) =>
      send(status, scrub(JSON.stringify(body, null, 2)));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(405, { error: `Method ${req.method} not allowed: use GET` });
      return true;
    }
    const fail = (error: unknown) => {
      if (res.headersSent) return void res.destroy();
      sendJson(500, { error: 'Internal error', message: scrub((error as Error).message) });
    };

    if (path === '/healthz') {
      sendJson(200, { status: 'ok', timestamp: new Date().toISOString() });
      return true;
    }
    if (path === '/readyz') {
      void readiness(runtime, health, expectedMigrations, readyTimeoutMs)
        .then((body) => sendJson(body.status === 'ready' ? 200 : 503, body))
        .catch(fail);
      return true;
    }
    if (apiToken && !httpRequestAuthorized(apiToken, (name) => headerOf(req, name))) {
      res.setHeader('www-authenticate', 'Bearer');
      sendJson(401, { error: 'Unauthorized: send Authorization: Bearer <CRMSYNC_API_TOKEN>' });
      return true;
    }
    if (path === '/metrics') {
      void metrics
        .render()
        .then(({ contentType, body }) => send(200, body, contentType))
        .catch(fail);
      return true;
    }
    const name = path.slice(DASHBOARD_API_PREFIX.length).replace(/\/$/, '');
    const endpoint = Object.hasOwn(endpoints, name) ? endpoints[name] : undefined;
    if (!endpoint) {
      sendJson(404, {
        error: `Not found: the JSON endpoints are ${Object.keys(endpoints)
          .map((n) => DASHBOARD_API_PREFIX + n)
          .join(', ')}`,
      });
      return true;
    }
    void endpoint()
      .then((body) => sendJson(200, { ...body, timestamp: new Date().toISOString() }))
      .catch(fail);
    return true;
  };
}

function headerOf(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

interface Check {
  name: string;
  ok: boolean;
  message: string | null;
}

async function readiness(
  runtime: ApiRuntime,
  health: HealthMonitor,
  expected: string[],
  timeoutMs: number,
): Promise<Json> {
  const checks: Check[] = [];
  try {
    const ms = await withTimeout(() => runtime.ping(), timeoutMs);
    checks.push({ name: 'database', ok: true, message: `${Math.round(ms * 100) / 100} ms` });
    const rows = await withTimeout(
      () =>
        runtime.prisma.$queryRawUnsafe<Array<{ name: string }>>(
          'SELECT name FROM "_crmsync_migrations"',
        ),
      timeoutMs,
    );
    const applied = new Set(rows.map((r) => r.name));
    const missing = expected.filter((name) => !applied.has(name));
    checks.push({
      name: 'migrations',
      ok: missing.length === 0,
      message:
        missing.length === 0 ? `${expected.length} applied` : `not applied: ${missing.join(', ')}`,
    });
  } catch (error) {
    checks.push({ name: 'database', ok: false, message: (error as Error).message });
    checks.push({ name: 'migrations', ok: false, message: 'unknown: the database did not answer' });
  }
  // Readiness is this process's: an API-only server (workers elsewhere) is ready without a
  // live worker, which is reported as a warning; a process meant to run the jobs is not ready
  // while its scheduler is not running.
  const warnings: Array<{ name: string; message: string }> = [];
  if (runtime.schedulerHealth) {
    const scheduler = await health.scheduler(async () => ({
      running: false,
      message: null,
      workers: [],
    }));
    if (scheduler.processesJobs === false) {
      checks.push({
        name: 'scheduler',
        ok: true,
        message: 'schedules kept in Agenda here; jobs run on crmsync workers',
      });
      if (scheduler.workers.length === 0)
        warnings.push({
          name: 'workers',
          message: `no live workers: ${scheduler.message ?? 'scheduled syncs will not run'}`,
        });
    } else {
      checks.push({ name: 'scheduler', ok: scheduler.running, message: scheduler.message });
    }
  } else {
    checks.push({
      name: 'scheduler',
      ok: true,
      message: 'not in this process (API only); not required',
    });
  }
  return {
    status: checks.every((c) => c.ok) ? 'ready' : 'not ready',
    checks,
    warnings,
    timestamp: new Date().toISOString(),
  };
}

async function statsJson(runtime: ApiRuntime): Promise<Json> {
  const o = await overview(runtime.prisma);
  return {
    overview: {
      active_syncs: o.activeRuns,
      completed_today: o.succeededLast24h,
      partial_today: o.partialLast24h,
      failed_today: o.failedLast24h,
      cancelled_today: o.cancelledLast24h,
      success_rate: o.successRate,
    },
  };
}

async function crmStatusJson(runtime: ApiRuntime): Promise<Json> {
  const rows = await crmStatusRows(runtime);
  return {
    crms: rows.map(({ plugin, lastRun, nextScheduledRun }) => ({
      name: plugin.plugin.displayName,
      crm: plugin.plugin.name,
      configured: plugin.configured,
      last_sync: iso(lastRun ? (lastRun.endTime ?? lastRun.startTime) : null),
      status: lastRun ? statusOf(lastRun) : null,
      records_processed: lastRun?.recordsProcessed ?? null,
      records_created: lastRun?.recordsCreated ?? null,
      records_updated: lastRun?.recordsUpdated ?? null,
      duration_seconds: lastRun ? durationSeconds(lastRun) : null,
      next_sync: iso(nextScheduledRun),
    })),
  };
}

/** The stored status, with a cancelled failure shown as `cancelled`. */
function statusOf(run: { status: string; errorKind: string | null }): string {
  return isCancelled(run) ? 'cancelled' : run.status;
}

async function recentSyncsJson(runtime: ApiRuntime): Promise<Json> {
  // The same query as GraphQL's recentRuns (newest 20 by id).
  const runs = await runtime.prisma.syncHistory.findMany({ orderBy: { id: 'desc' }, take: 20 });
  return {
    syncs: runs.map((run) => ({
      id: run.id,
      crm_source: run.crmSource,
      sync_type: run.syncType,
      status: statusOf(run),
      start_time: iso(run.startTime),
      end_time: iso(run.endTime),
      duration_seconds: durationSeconds(run),
      records_processed: run.recordsProcessed,
      records_created: run.recordsCreated,
      records_updated: run.recordsUpdated,
      records_failed: run.recordsFailed,
      error_kind: run.errorKind,
      error_message: run.errorMessage,
    })),
    total: runs.length,
  };
}

async function systemHealthJson(context: ApiContext, health: HealthMonitor): Promise<Json> {
  const [database, scheduler] = await Promise.all([health.database(), schedulerHealth(context)]);
  const bus = health.eventBus();
  const now = Date.now();
  const age = (at: Date | null) => (at ? Math.round((now - at.getTime()) / 100) / 10 : null);
  const state = (reachable: boolean | null) =>
    reachable === null ? 'unknown' : reachable ? 'healthy' : 'unhealthy';
  return {
    database: {
      status: state(database.reachable),
      provider: database.provider,
      response_time_ms: database.latencyMs,
      message: database.message,
      checked_at: iso(database.checkedAt),
      age_seconds: age(database.checkedAt),
    },
    scheduler: {
      status: scheduler.running ? 'healthy' : 'unhealthy',
      active_workers: scheduler.workers.length,
      active_jobs: scheduler.workers.reduce((n, w) => n + w.activeJobs, 0),
      message: scheduler.message,
    },
    event_bus: {
      status: state(bus.reachable),
      kind: bus.kind,
      response_time_ms: bus.latencyMs,
      message: bus.message,
      checked_at: iso(bus.checkedAt),
      age_seconds: age(bus.checkedAt),
    },
    crms: health.crms().map((c) => ({
      name: c.crm,
      configured: c.configured,
      status: state(c.reachable),
      response_time_ms: c.latencyMs,
      message: c.message,
      checked_at: iso(c.checkedAt),
      age_seconds: age(c.checkedAt),
    })),
  };
}

async function chartsJson(runtime: ApiRuntime): Promise<Json> {
  const c = await charts(runtime.prisma, runtime.provider, 7);
  const series = (points: Array<{ day: string; value: number | null }>) => ({
    labels: points.map((p) => p.day),
    data: points.map((p) => p.value),
  });
  const byCrm = (points: Array<{ crm: string; value: number }>) => ({
    labels: points.map((p) => p.crm),
    data: points.map((p) => p.value),
  });
  return {
    sync_duration_trend: series(c.durationTrend),
    records_by_crm: byCrm(c.recordsByCrm),
    success_rate_trend: series(c.successRateTrend),
    runs_per_day: series(c.runsPerDay),
    runs_by_crm: byCrm(c.runsByCrm),
  };
}

async function failuresJson(runtime: ApiRuntime): Promise<Json> {
  const groups = await failureGroups(runtime.prisma, 7);
  return {
    groups: groups.map((g) => ({
      crm: g.crm,
      kind: g.kind,
      message: g.message,
      count: g.count,
      first_seen: iso(g.firstSeen),
      last_seen: iso(g.lastSeen),
      last_run_id: g.lastRunId,
    })),
  };
}
