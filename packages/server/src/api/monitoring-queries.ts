import { Prisma, type DatabaseProvider, type PrismaClient } from '../store/index.js';

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
  failedLast24h: number;
  /** Percent of runs finished in the last 24 h that succeeded; null when none finished. */
  successRate: number | null;
  at: Date;
}

export async function overview(prisma: PrismaClient, now = new Date()): Promise<Overview> {
  const since = new Date(now.getTime() - DAY_MS);
  const [activeRuns, finished] = await Promise.all([
    prisma.syncHistory.count({ where: { status: 'running' } }),
    prisma.syncHistory.groupBy({
      by: ['status'],
      where: { endTime: { gte: since } },
      _count: { _all: true },
    }),
  ]);
  const count = (status: string) => finished.find((g) => g.status === status)?._count._all ?? 0;
  const succeeded = count('success');
  const partial = count('partial');
  const failed = count('failed');
  const total = succeeded + partial + failed;
  return {
    activeRuns,
    succeededLast24h: succeeded,
    partialLast24h: partial,
    failedLast24h: failed,
    successRate: total === 0 ? null : round((succeeded / total) * 100),
    at: now,
  };
}

/**
 * The newest run id of each (crm, entity), in one round trip: one correlated lookup per pair,
 * each answered by the (crm_source, sync_type, start_time) index.
 */
export async function latestRunIds(
  prisma: PrismaClient,
  provider: DatabaseProvider,
  pairs: Array<{ crm: string; entity: string }>,
): Promise<string[]> {
  if (pairs.length === 0) return [];
  const values = Prisma.join(pairs.map((p) => Prisma.sql`(${p.crm}, ${p.entity})`));
  const rows =
    provider === 'postgresql'
      ? await prisma.$queryRaw<Array<{ id: string | null }>>(Prisma.sql`
          SELECT (SELECT h.id FROM sync_history h WHERE h.crm_source = p.crm AND h.sync_type = p.entity
                  ORDER BY h.start_time DESC LIMIT 1) AS id
          FROM (VALUES ${values}) AS p(crm, entity)`)
      : await prisma.$queryRaw<Array<{ id: string | null }>>(Prisma.sql`
          SELECT (SELECT h.id FROM sync_history h WHERE h.crm_source = p.column1 AND h.sync_type = p.column2
                  ORDER BY h.start_time DESC LIMIT 1) AS id
          FROM (VALUES ${values}) AS p`);
  return rows.flatMap((r) => (r.id ? [r.id] : []));
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
             count(*)::int AS finished
      FROM sync_history WHERE end_time >= ${since}
      GROUP BY 1 ORDER BY 1`);
  }
  // SQLite keeps DateTime as integer milliseconds (SQLITE_TIMESTAMP_FORMAT).
  return prisma.$queryRaw<DayRow[]>(Prisma.sql`
    SELECT end_time / 86400000 AS day,
           avg((end_time - start_time) / 1000.0) AS avg_duration,
           sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS succeeded,
           count(*) AS finished
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
  runs: number;
  failed: number;
  /** Percent of finished runs that failed. */
  failureRate: number;
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
      where: { status: 'failed', endTime: { gte: since } },
      _count: { _all: true },
    }),
    prisma.syncHistory.groupBy({
      by: ['crmSource', 'status'],
      where: { endTime: { gte: since } },
      _count: { _all: true },
    }),
  ]);
  const perCrm = new Map<string, { runs: number; failed: number }>();
  for (const g of statuses) {
    const entry = perCrm.get(g.crmSource) ?? { runs: 0, failed: 0 };
    entry.runs += g._count._all;
    if (g.status === 'failed') entry.failed += g._count._all;
    perCrm.set(g.crmSource, entry);
  }
  return {
    byKind: kinds
      .map((g) => ({ kind: g.errorKind ?? 'unknown', count: g._count._all }))
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)),
    failureRateByCrm: [...perCrm]
      .map(([crm, e]) => ({ crm, ...e, failureRate: round((e.failed / e.runs) * 100) }))
      .sort(
        (a, b) =>
          b.failureRate - a.failureRate || b.failed - a.failed || a.crm.localeCompare(b.crm),
      ),
  };
}

export function round(value: number): number {
  return Math.round(value * 100) / 100;
}
