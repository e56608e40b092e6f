import {
  type Charts,
  crmStatusRows,
  type CrmStatusRow,
  type CrmFailureRate,
  type CrmPoint,
  type DayPoint,
  type ErrorKindCount,
  type Overview,
  charts,
  errorBreakdown,
  type FailureGroup,
  failureGroups,
  overview,
} from '../monitoring-queries.js';
import { builder } from './builder.js';
import { RunRef, RunStatusEnum, durationSeconds } from './runs.js';

const OverviewRef = builder.objectRef<Overview>('Overview').implement({
  description: 'The overview cards: runs in progress and runs finished in the last 24 hours.',
  fields: (t) => ({
    activeRuns: t.exposeInt('activeRuns'),
    succeededLast24h: t.exposeInt('succeededLast24h'),
    partialLast24h: t.exposeInt('partialLast24h'),
    failedLast24h: t.exposeInt('failedLast24h', { description: 'Cancelled runs left out.' }),
    cancelledLast24h: t.exposeInt('cancelledLast24h', {
      description: 'Runs stopped on purpose (stored as failed with error kind cancelled).',
    }),
    successRate: t.exposeFloat('successRate', {
      nullable: true,
      description:
        'Percent (0–100) of runs finished in the last 24 h with status success; cancelled runs left out.',
    }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const CrmStatusRef = builder.objectRef<CrmStatusRow>('CrmStatus').implement({
  description: 'One row of the CRM status table: the CRM’s newest run and its next scheduled run.',
  fields: (t) => ({
    crm: t.string({ resolve: (s) => s.plugin.plugin.name }),
    displayName: t.string({ resolve: (s) => s.plugin.plugin.displayName }),
    configured: t.boolean({ resolve: (s) => s.plugin.configured }),
    lastRun: t.field({ type: RunRef, nullable: true, resolve: (s) => s.lastRun }),
    lastSyncAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'End of the newest run (its start while it is running).',
      resolve: (s) => (s.lastRun ? (s.lastRun.endTime ?? s.lastRun.startTime) : null),
    }),
    status: t.field({
      type: RunStatusEnum,
      nullable: true,
      resolve: (s) => (s.lastRun?.status ?? null) as typeof RunStatusEnum.$inferType | null,
    }),
    recordsProcessed: t.int({
      nullable: true,
      resolve: (s) => s.lastRun?.recordsProcessed ?? null,
    }),
    recordsCreated: t.int({ nullable: true, resolve: (s) => s.lastRun?.recordsCreated ?? null }),
    recordsUpdated: t.int({ nullable: true, resolve: (s) => s.lastRun?.recordsUpdated ?? null }),
    durationSeconds: t.float({
      nullable: true,
      resolve: (s) => (s.lastRun ? durationSeconds(s.lastRun) : null),
    }),
    nextScheduledRun: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (s) => s.nextScheduledRun,
    }),
  }),
});

const DayPointRef = builder.objectRef<DayPoint>('DayPoint').implement({
  fields: (t) => ({
    day: t.exposeString('day', { description: 'UTC day, YYYY-MM-DD.' }),
    value: t.exposeFloat('value', {
      nullable: true,
      description: 'Null when no run finished that day.',
    }),
  }),
});

const CrmPointRef = builder.objectRef<CrmPoint>('CrmPoint').implement({
  fields: (t) => ({ crm: t.exposeString('crm'), value: t.exposeFloat('value') }),
});

const ChartsRef = builder.objectRef<Charts>('Charts').implement({
  description: 'Chart series over finished runs of the last `days` UTC days.',
  fields: (t) => ({
    days: t.exposeInt('days'),
    durationTrend: t.field({
      type: [DayPointRef],
      description: 'Mean run duration in seconds per day.',
      resolve: (c) => c.durationTrend,
    }),
    successRateTrend: t.field({
      type: [DayPointRef],
      description: 'Percent of finished runs with status success, per day.',
      resolve: (c) => c.successRateTrend,
    }),
    runsPerDay: t.field({ type: [DayPointRef], resolve: (c) => c.runsPerDay }),
    recordsByCrm: t.field({
      type: [CrmPointRef],
      description: 'Records processed per CRM.',
      resolve: (c) => c.recordsByCrm,
    }),
    runsByCrm: t.field({
      type: [CrmPointRef],
      description: 'Runs per CRM.',
      resolve: (c) => c.runsByCrm,
    }),
  }),
});

const ErrorKindCountRef = builder.objectRef<ErrorKindCount>('ErrorKindCount').implement({
  fields: (t) => ({
    kind: t.exposeString('kind', {
      description:
        'auth | rate_limit | transient | data | system | config | cancelled | store | unknown',
    }),
    count: t.exposeInt('count'),
  }),
});

const CrmFailureRateRef = builder.objectRef<CrmFailureRate>('CrmFailureRate').implement({
  fields: (t) => ({
    crm: t.exposeString('crm'),
    runs: t.exposeInt('runs', { description: 'Finished runs, cancelled ones left out.' }),
    failed: t.exposeInt('failed'),
    succeeded: t.exposeInt('succeeded'),
    cancelled: t.exposeInt('cancelled'),
    failureRate: t.exposeFloat('failureRate', { description: 'Percent (0–100).' }),
    successRate: t.exposeFloat('successRate', { nullable: true, description: 'Percent (0–100).' }),
  }),
});

const FailureGroupRef = builder.objectRef<FailureGroup>('FailureGroup').implement({
  description: 'Identical failures of one CRM (same error kind and message), counted once.',
  fields: (t) => ({
    crm: t.exposeString('crm'),
    kind: t.exposeString('kind'),
    message: t.exposeString('message'),
    count: t.exposeInt('count'),
    firstSeen: t.expose('firstSeen', { type: 'DateTime' }),
    lastSeen: t.expose('lastSeen', { type: 'DateTime' }),
    lastRunId: t.exposeString('lastRunId'),
  }),
});

interface ErrorAnalysisParent {
  days: number;
  /** Both groupings come from one pair of queries, run once when either field is asked for. */
  breakdown(): ReturnType<typeof errorBreakdown>;
}

const ErrorAnalysisRef = builder.objectRef<ErrorAnalysisParent>('ErrorAnalysis').implement({
  description: 'Failures: the newest ten, by error kind, and the CRMs that fail most.',
  fields: (t) => ({
    days: t.exposeInt('days'),
    recentFailures: t.prismaField({
      type: ['SyncHistory'],
      description: 'The last 10 failed runs (cancelled ones left out), newest first.',
      resolve: (query, _parent, _args, ctx) =>
        ctx.prisma.syncHistory.findMany({
          ...query,
          where: {
            status: 'failed',
            OR: [{ errorKind: null }, { errorKind: { not: 'cancelled' } }],
          },
          orderBy: { startTime: 'desc' },
          take: 10,
        }),
    }),
    failureGroups: t.field({
      type: [FailureGroupRef],
      description: 'Failures grouped by (CRM, kind, message), newest first, at most 20.',
      resolve: (p, _args, ctx) => failureGroups(ctx.prisma, p.days),
    }),
    byKind: t.field({
      type: [ErrorKindCountRef],
      resolve: async (p) => (await p.breakdown()).byKind,
    }),
    failureRateByCrm: t.field({
      type: [CrmFailureRateRef],
      description: 'CRMs by failure rate, highest first.',
      resolve: async (p) => (await p.breakdown()).failureRateByCrm,
    }),
  }),
});

function clampDays(days: number | null | undefined): number {
  return Math.min(Math.max(Math.trunc(days ?? 7), 1), 90);
}

builder.queryFields((t) => ({
  overview: t.field({ type: OverviewRef, resolve: (_root, _args, ctx) => overview(ctx.prisma) }),
  crmStatus: t.field({
    type: [CrmStatusRef],
    resolve: (_root, _args, ctx) => crmStatusRows(ctx.runtime),
  }),
  charts: t.field({
    type: ChartsRef,
    args: { days: t.arg.int({ required: false, defaultValue: 7, description: '1–90.' }) },
    resolve: (_root, args, ctx) => charts(ctx.prisma, ctx.runtime.provider, clampDays(args.days)),
  }),
  errorAnalysis: t.field({
    type: ErrorAnalysisRef,
    args: { days: t.arg.int({ required: false, defaultValue: 7, description: '1–90.' }) },
    resolve: (_root, args, ctx) => {
      const days = clampDays(args.days);
      let pending: ReturnType<typeof errorBreakdown> | undefined;
      return { days, breakdown: () => (pending ??= errorBreakdown(ctx.prisma, days)) };
    },
  }),
}));
