import type { ApiPlugin, ApiRuntime } from '../runtime/api-runtime.js';
import {
  Prisma,
  type DatabaseProvider,
  type PrismaClient,
  type SyncHistory,
} from '../store/index.js';

/**
 * The dashboard's figures, each answered by indexed queries and aggregated in the database:
 * counts by status use (status, start_time) or (end_time); per-(crm, entity) lookups use
 * (crm_source, sync_type, start_time); day series group finished runs found through end_time.
 * Nothing here loads history rows into memory beyond the handful it returns.
 */

export const DAY_MS = 86_400_000;

export interface Overview {
  activeRuns: number;
  succeededLast24h: number;
  partialLast24h: number;
  /** Failed runs of the last 24 h, cancelled ones left out. */
  failedLast24h: number;
  /** Runs cancelled by a person or a shutdown (stored `failed` with error kind `cancelled`). */
  cancelledLast24h: number;
  /** Percent of runs finished in the last 24 h that succeeded, cancelled runs left out; null when none finished. */
  successRate: number | null;
  at: Date;
}

/** A stored `failed` run whose error kind is `cancelled` was stopped on purpose, not a failure. */
export function isCancelled(run: { status: string; errorKind: string | null }): boolean {
  return run.status === 'failed' && run.errorKind === 'cancelled';
}

export async function overview(prisma: PrismaClient, now = new Date()): Promise<Overview> {
  const since = new Date(now.getTime() - DAY_MS);
  const [activeRuns, finished] = await Promise.all([
    prisma.syncHistory.count({ where: { status: 'running' } }),
    prisma.syncHistory.groupBy({
      by: ['status', 'errorKind'],
      where: { endTime: { gte: since } },
      _count: { _all: true },
    }),
  ]);
  let succeeded = 0;
  let partial = 0;
  let failed = 0;
  let cancelled = 0;
  for (const g of finished) {
    const n = g._count._all;
    if (isCancelled(g)) cancelled += n;
    else if (g.status === 'success') succeeded += n;
    else if (g.status === 'partial') partial += n;
    else if (g.status === 'failed') failed += n;
  }
  const total = succeeded + partial + failed;
  return {
    activeRuns,
    succeededLast24h: succeeded,
    partialLast24h: partial,
    failedLast24h: failed,
    cancelledLast24h: cancelled,
    successRate: total === 0 ? null : round((succeeded / total) * 100),
    at: now,
  };
}

/**
 * The newest run id of each (crm, entity) — of a given status when one is named — in one round
 * trip: one correlated lookup per pair, each answered by the (crm_source, sync_type,
 * start_time) index, walked newest first.
 */
export async function latestRunIds(
  prisma: PrismaClient,
  provider: DatabaseProvider,
  pairs: Array<{ crm: string; entity: string }>,
  status?: string,
): Promise<string[]> {
  if (pairs.length === 0) return [];
  const values = Prisma.join(pairs.map((p) => Prisma.sql`(${p.crm}, ${p.entity})`));
  const ofStatus = status === undefined ? Prisma.empty : Prisma.sql`AND h.status = ${status}`;
  const rows =
    provider === 'postgresql'
      ? await prisma.$queryRaw<Array<{ id: string | null }>>(Prisma.sql`
          SELECT (SELECT h.id FROM sync_history h WHERE h.crm_source = p.crm AND h.sync_type = p.entity
                  ${ofStatus} ORDER BY h.start_time DESC LIMIT 1) AS id
          FROM (VALUES ${values}) AS p(crm, entity)`)
      : await prisma.$queryRaw<Array<{ id: string | null }>>(Prisma.sql`
          SELECT (SELECT h.id FROM sync_history h WHERE h.crm_source = p.column1 AND h.sync_type = p.column2
                  ${ofStatus} ORDER BY h.start_time DESC LIMIT 1) AS id
          FROM (VALUES ${values}) AS p`);
  return rows.flatMap((r) => (r.id ? [r.id] : []));
}

export interface CrmStatusRow {
  plugin: ApiPlugin;
  lastRun: SyncHistory | null;
  nextScheduledRun: Date | null;
}

/** Each installed CRM with its newest run and its next scheduled run (the status table). */
export async function crmStatusRows(runtime: ApiRuntime): Promise<CrmStatusRow[]> {
  const prisma = runtime.prisma;
  const pairs = runtime.plugins.flatMap((p) =>
    p.entities.map((e) => ({ crm: p.plugin.name, entity: e.name })),
  );
  const [ids, schedules] = await Promise.all([
    latestRunIds(prisma, runtime.provider, pairs),
    prisma.syncSchedule.findMany({
      where: { enabled: true, nextRun: { not: null } },
      select: { crmSource: true, nextRun: true },
    }),
  ]);
  const runs =
    ids.length > 0 ? await prisma.syncHistory.findMany({ where: { id: { in: ids } } }) : [];
  return runtime.plugins.map((plugin) => {
    const name = plugin.plugin.name;
    const lastRun =
      runs
        .filter((r) => r.crmSource === name)
        .sort((a, b) => b.startTime.getTime() - a.startTime.getTime())[0] ?? null;
    const next = schedules
      .filter((s) => s.crmSource === name && s.nextRun)
      .map((s) => s.nextRun!.getTime())
      .sort((a, b) => a - b)[0];
    return { plugin, lastRun, nextScheduledRun: next === undefined ? null : new Date(next) };
  });
}

export interface DayPoint {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  value: number | null;
}

export interface CrmPoint {
  crm: string;
  value: number;
}

export interface Charts {
  days: number;
  durationTrend: DayPoint[];
  successRateTrend: DayPoint[];
  runsPerDay: DayPoint[];
  recordsByCrm: CrmPoint[];
  runsByCrm: CrmPoint[];
}

interface DayRow {
  day: number | bigint;
  avg_duration: number | null;
  succeeded: number | bigint;
  finished: number | bigint;
}

/** Finished runs per UTC day; `finished` leaves cancelled runs out (they are no failures). */
function dailyFinishedRuns(
  prisma: PrismaClient,
  provider: DatabaseProvider,
  since: Date,
): Promise<DayRow[]> {
  if (provider === 'postgresql') {
    return prisma.$queryRaw<DayRow[]>(Prisma.sql`
      SELECT floor(extract(epoch FROM end_time) / 86400)::int AS day,
             avg(extract(epoch FROM (end_time - start_time)))::float8 AS avg_duration,
             count(*) FILTER (WHERE status = 'success')::int AS succeeded,
             count(*) FILTER (WHERE error_kind IS DISTINCT FROM 'cancelled' OR status <> 'failed')::int AS finished
      FROM sync_history WHERE end_time >= ${since}
      GROUP BY 1 ORDER BY 1`);
  }
  // SQLite keeps DateTime as integer milliseconds (SQLITE_TIMESTAMP_FORMAT).
  return prisma.$queryRaw<DayRow[]>(Prisma.sql`
    SELECT end_time / 86400000 AS day,
           avg((end_time - start_time) / 1000.0) AS avg_duration,
           sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS succeeded,
           sum(CASE WHEN status = 'failed' AND error_kind = 'cancelled' THEN 0 ELSE 1 END) AS finished
    FROM sync_history WHERE end_time >= ${since.getTime()}
    GROUP BY 1 ORDER BY 1`);
}

export async function charts(
  prisma: PrismaClient,
  provider: DatabaseProvider,
  days: number,
  now = new Date(),
): Promise<Charts> {
  const firstDay = Math.floor(now.getTime() / DAY_MS) - (days - 1);
  const since = new Date(firstDay * DAY_MS);
  const [rows, byCrm] = await Promise.all([
    dailyFinishedRuns(prisma, provider, since),
    prisma.syncHistory.groupBy({
      by: ['crmSource'],
      where: { endTime: { gte: since } },
      _sum: { recordsProcessed: true },
      _count: { _all: true },
    }),
  ]);
  const byDay = new Map(rows.map((r) => [Number(r.day), r]));
  const durationTrend: DayPoint[] = [];
  const successRateTrend: DayPoint[] = [];
  const runsPerDay: DayPoint[] = [];
  for (let d = firstDay; d < firstDay + days; d++) {
    const day = new Date(d * DAY_MS).toISOString().slice(0, 10);
    const row = byDay.get(d);
    const finished = row ? Number(row.finished) : 0;
    durationTrend.push({
      day,
      value: row?.avg_duration == null ? null : round(Number(row.avg_duration)),
    });
    successRateTrend.push({
      day,
      value: finished === 0 ? null : round((Number(row?.succeeded ?? 0) / finished) * 100),
    });
    runsPerDay.push({ day, value: finished });
  }
  const sorted = [...byCrm].sort((a, b) => a.crmSource.localeCompare(b.crmSource));
  return {
    days,
    durationTrend,
    successRateTrend,
    runsPerDay,
    recordsByCrm: sorted.map((g) => ({ crm: g.crmSource, value: g._sum.recordsProcessed ?? 0 })),
    runsByCrm: sorted.map((g) => ({ crm: g.crmSource, value: g._count._all })),
  };
}

export interface ErrorKindCount {
  kind: string;
  count: number;
}

export interface CrmFailureRate {
  crm: string;
  /** Finished runs, cancelled ones left out. */
  runs: number;
  failed: number;
  succeeded: number;
  cancelled: number;
  /** Percent of finished runs that failed (cancelled runs left out). */
  failureRate: number;
  /** Percent of finished runs that succeeded (cancelled runs left out); null when none finished. */
  successRate: number | null;
}

export interface FailureGroup {
  crm: string;
  /** The error kind (auth, transient, …). */
  kind: string;
  /** The error message, as stored (identical failures share it). */
  message: string;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  /** The newest failed run of the group. */
  lastRunId: string;
}

export async function errorBreakdown(
  prisma: PrismaClient,
  days: number,
  now = new Date(),
): Promise<{ byKind: ErrorKindCount[]; failureRateByCrm: CrmFailureRate[] }> {
  const since = new Date(now.getTime() - days * DAY_MS);
  const [kinds, statuses] = await Promise.all([
    prisma.syncHistory.groupBy({
      by: ['errorKind'],
      // A cancelled run is no error: left out of the kinds as of the rates.
      where: {
        status: 'failed',
        endTime: { gte: since },
        OR: [{ errorKind: null }, { errorKind: { not: 'cancelled' } }],
      },
      _count: { _all: true },
    }),
    prisma.syncHistory.groupBy({
      by: ['crmSource', 'status', 'errorKind'],
      where: { endTime: { gte: since } },
      _count: { _all: true },
    }),
  ]);
  const perCrm = new Map<
    string,
    { runs: number; failed: number; succeeded: number; cancelled: number }
  >();
  for (const g of statuses) {
    const entry = perCrm.get(g.crmSource) ?? { runs: 0, failed: 0, succeeded: 0, cancelled: 0 };
    const n = g._count._all;
    if (isCancelled(g)) entry.cancelled += n;
    else {
      entry.runs += n;
      if (g.status === 'failed') entry.failed += n;
      if (g.status === 'success') entry.succeeded += n;
    }
    perCrm.set(g.crmSource, entry);
  }
  return {
    byKind: kinds
      .map((g) => ({ kind: g.errorKind ?? 'unknown', count: g._count._all }))
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)),
    failureRateByCrm: [...perCrm]
      .map(([crm, e]) => ({
        crm,
        ...e,
        failureRate: e.runs === 0 ? 0 : round((e.failed / e.runs) * 100),
        successRate: e.runs === 0 ? null : round((e.succeeded / e.runs) * 100),
      }))
      .sort(
        (a, b) =>
          b.failureRate - a.failureRate || b.failed - a.failed || a.crm.localeCompare(b.crm),
      ),
  };
}

/**
 * Failures of the last `days` grouped by (CRM, error kind, message), newest group first, with
 * count and first/last seen: 130 identical failures are one line. Cancelled runs are no
 * failures. Grouped in the database (status, end_time index), at most `limit` groups.
 */
export async function failureGroups(
  prisma: PrismaClient,
  days: number,
  limit = 20,
  now = new Date(),
): Promise<FailureGroup[]> {
  const since = new Date(now.getTime() - days * DAY_MS);
  const groups = await prisma.syncHistory.groupBy({
    by: ['crmSource', 'errorKind', 'errorMessage'],
    where: {
      status: 'failed',
      endTime: { gte: since },
      OR: [{ errorKind: null }, { errorKind: { not: 'cancelled' } }],
    },
    _count: { _all: true },
    // Run ids are UUIDv7 of the start: min/max id are the group's first and newest run. (An
    // aggregate over a DateTime column comes back as an invalid date from SQLite's adapter.)
    _min: { id: true },
    _max: { id: true },
    orderBy: { _max: { id: 'desc' } },
    take: limit,
  });
  const ends = await endTimes(
    prisma,
    groups.flatMap((g) => [g._min.id!, g._max.id!]),
  );
  return groups.map((g) => ({
    crm: g.crmSource,
    kind: g.errorKind ?? 'unknown',
    message: g.errorMessage ?? '(no message)',
    count: g._count._all,
    firstSeen: ends.get(g._min.id!)!,
    lastSeen: ends.get(g._max.id!)!,
    lastRunId: g._max.id!,
  }));
}

/** The end (or start) time of each run id. */
export async function endTimes(prisma: PrismaClient, ids: string[]): Promise<Map<string, Date>> {
  if (ids.length === 0) return new Map();
  const rows = await prisma.syncHistory.findMany({
    where: { id: { in: [...new Set(ids)] } },
    select: { id: true, startTime: true, endTime: true },
  });
  return new Map(rows.map((r) => [r.id, r.endTime ?? r.startTime]));
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
