import type { Prisma, SyncHistory } from '../../store/index.js';
import type { ApiContext } from '../request-context.js';
import { redactSecrets } from '../../auth/secrets.js';
import { builder } from './builder.js';

export const RunStatusEnum = builder.enumType('RunStatus', {
  description: 'Exactly the four statuses of sync_history.',
  values: ['running', 'success', 'partial', 'failed'] as const,
});

export const RunSortEnum = builder.enumType('RunSort', {
  description:
    'Run order. Run ids are UUIDv7 of the run start, so both orders page by the primary key.',
  values: ['NEWEST_FIRST', 'OLDEST_FIRST'] as const,
});

export function durationSeconds(run: Pick<SyncHistory, 'startTime' | 'endTime'>): number | null {
  return run.endTime ? (run.endTime.getTime() - run.startTime.getTime()) / 1_000 : null;
}

function secretKeysOf(ctx: ApiContext, crm: string): string[] {
  const entry = ctx.runtime.plugins.find((p) => p.plugin.name === crm);
  if (!entry) return [];
  return Object.entries(entry.plugin.config).flatMap(([key, spec]) =>
    spec.secret ? [key, spec.env] : [],
  );
}

export const SyncEventRef = builder.prismaObject('SyncEvent', {
  name: 'SyncEvent',
  description: 'One line of a run’s log.',
  fields: (t) => ({
    id: t.id({ resolve: (e) => String(e.id) }),
    runId: t.exposeString('runId'),
    at: t.expose('at', { type: 'DateTime' }),
    level: t.exposeString('level', { description: 'debug | info | warn | error' }),
    message: t.exposeString('message'),
    recordId: t.exposeString('recordId', { nullable: true }),
    details: t.expose('details', { type: 'JSON', nullable: true }),
  }),
});

export const RunRef = builder.prismaObject('SyncHistory', {
  name: 'Run',
  description: 'One sync run (a sync_history row).',
  fields: (t) => ({
    id: t.exposeID('id'),
    crmSource: t.exposeString('crmSource'),
    syncType: t.exposeString('syncType', { description: 'The entity.' }),
    endpoint: t.exposeString('endpoint', { nullable: true }),
    status: t.field({
      type: RunStatusEnum,
      resolve: (r) => r.status as typeof RunStatusEnum.$inferType,
    }),
    mode: t.exposeString('mode', { description: 'full | delta | force | start-date' }),
    trigger: t.exposeString('trigger', { description: 'cli | schedule | api | webhook | library' }),
    dryRun: t.exposeBoolean('dryRun'),
    startTime: t.expose('startTime', { type: 'DateTime' }),
    endTime: t.expose('endTime', { type: 'DateTime', nullable: true }),
    durationSeconds: t.float({ nullable: true, resolve: durationSeconds }),
    recordsProcessed: t.exposeInt('recordsProcessed'),
    recordsCreated: t.exposeInt('recordsCreated'),
    recordsUpdated: t.exposeInt('recordsUpdated'),
    recordsUnchanged: t.exposeInt('recordsUnchanged'),
    recordsDeleted: t.exposeInt('recordsDeleted'),
    recordsFailed: t.exposeInt('recordsFailed'),
    errorMessage: t.exposeString('errorMessage', { nullable: true }),
    errorKind: t.exposeString('errorKind', { nullable: true }),
    configuration: t.field({
      type: 'JSON',
      description: 'The options the run used (secrets removed).',
      resolve: (r, _args, ctx) => redactSecrets(r.configuration, secretKeysOf(ctx, r.crmSource)),
    }),
    performanceMetrics: t.expose('performanceMetrics', { type: 'JSON', nullable: true }),
    estimatedTotal: t.int({
      nullable: true,
      description:
        'The CRM’s estimate of the records to read, as the run last saw it (stored with its performance metrics when it ended): a run that stopped early ended at recordsProcessed of this.',
      resolve: (r) => {
        const total = (r.performanceMetrics as { estimatedTotal?: unknown } | null)?.estimatedTotal;
        return typeof total === 'number' && Number.isSafeInteger(total) && total >= 0
          ? total
          : null;
      },
    }),
    sinceTime: t.expose('sinceTime', { type: 'DateTime', nullable: true }),
    highWaterMark: t.expose('highWaterMark', { type: 'DateTime', nullable: true }),
    resumedFromRunId: t.exposeString('resumedFromRunId', { nullable: true }),
    workerId: t.exposeString('workerId', { nullable: true }),
    heartbeatAt: t.expose('heartbeatAt', { type: 'DateTime', nullable: true }),
    events: t.relatedConnection('events', {
      cursor: 'id',
      description: 'The run’s log, oldest first.',
      query: () => ({ orderBy: { id: 'asc' } }),
    }),
  }),
});

export const RunFilter = builder.inputType('RunFilter', {
  fields: (t) => ({
    crm: t.string({ required: false }),
    entity: t.string({ required: false }),
    status: t.field({ type: RunStatusEnum, required: false }),
    startedAfter: t.field({ type: 'DateTime', required: false, description: 'Inclusive.' }),
    startedBefore: t.field({ type: 'DateTime', required: false, description: 'Exclusive.' }),
  }),
});

function runWhere(
  filter: typeof RunFilter.$inferInput | null | undefined,
): Prisma.SyncHistoryWhereInput {
  if (!filter) return {};
  return {
    ...(filter.crm && { crmSource: filter.crm }),
    ...(filter.entity && { syncType: filter.entity }),
    ...(filter.status && { status: filter.status }),
    ...((filter.startedAfter || filter.startedBefore) && {
      startTime: {
        ...(filter.startedAfter && { gte: filter.startedAfter }),
        ...(filter.startedBefore && { lt: filter.startedBefore }),
      },
    }),
  };
}

builder.queryFields((t) => ({
  runs: t.prismaConnection({
    type: 'SyncHistory',
    cursor: 'id',
    description: 'Sync runs, filtered, paged by cursor.',
    defaultSize: 50,
    maxSize: 500,
    args: {
      filter: t.arg({ type: RunFilter, required: false }),
      sort: t.arg({ type: RunSortEnum, required: false, defaultValue: 'NEWEST_FIRST' }),
    },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.syncHistory.findMany({
        ...query,
        where: runWhere(args.filter),
        orderBy: { id: args.sort === 'OLDEST_FIRST' ? 'asc' : 'desc' },
      }),
    totalCount: (_root, args, ctx) =>
      ctx.prisma.syncHistory.count({ where: runWhere(args.filter) }),
  }),
  run: t.prismaField({
    type: 'SyncHistory',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.syncHistory.findUnique({ ...query, where: { id: String(args.id) } }),
  }),
  recentRuns: t.prismaField({
    type: ['SyncHistory'],
    description: 'The newest runs (default 20, at most 100).',
    args: { limit: t.arg.int({ required: false, defaultValue: 20 }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.syncHistory.findMany({
        ...query,
        orderBy: { id: 'desc' },
        take: Math.min(Math.max(args.limit ?? 20, 1), 100),
      }),
  }),
}));
