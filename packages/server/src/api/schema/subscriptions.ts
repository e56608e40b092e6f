import { filter, pipe, Repeater } from 'graphql-yoga';
import type { ApiContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import type {
  RunLogPayload,
  RunProgressPayload,
  RunRef as RunKey,
  RunStatusPayload,
} from '../pubsub.js';
import { builder } from './builder.js';
import { RunStatusEnum } from './runs.js';

const RunProgressRef = builder.objectRef<RunProgressPayload>('RunProgress').implement({
  description: 'Progress of a run in flight, sent as the engine reports it.',
  fields: (t) => ({
    runId: t.exposeID('runId'),
    crmSource: t.exposeString('crmSource'),
    syncType: t.exposeString('syncType'),
    recordsProcessed: t.exposeInt('recordsProcessed'),
    recordsCreated: t.exposeInt('recordsCreated'),
    recordsUpdated: t.exposeInt('recordsUpdated'),
    recordsUnchanged: t.exposeInt('recordsUnchanged'),
    recordsFailed: t.exposeInt('recordsFailed'),
    estimatedTotal: t.exposeInt('estimatedTotal', {
      nullable: true,
      description: 'What the CRM says the read will return, when it says.',
    }),
    recordsPerSecond: t.exposeFloat('recordsPerSecond'),
    pages: t.exposeInt('pages'),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const RunLogEventRef = builder.objectRef<RunLogPayload>('RunLogEvent').implement({
  description: 'A line of a run’s log as it is written.',
  fields: (t) => ({
    runId: t.exposeID('runId'),
    crmSource: t.exposeString('crmSource'),
    syncType: t.exposeString('syncType'),
    level: t.exposeString('level'),
    message: t.exposeString('message'),
    recordId: t.exposeString('recordId', { nullable: true }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const RunStatusChangeRef = builder.objectRef<RunStatusPayload>('RunStatusChange').implement({
  description: 'A run started or finished.',
  fields: (t) => ({
    runId: t.exposeID('runId'),
    crmSource: t.exposeString('crmSource'),
    syncType: t.exposeString('syncType'),
    status: t.field({
      type: RunStatusEnum,
      resolve: (p) => p.status as typeof RunStatusEnum.$inferType,
    }),
    at: t.expose('at', { type: 'DateTime' }),
    run: t.prismaField({
      type: 'SyncHistory',
      nullable: true,
      description: 'The run row as stored now.',
      resolve: (query, p, _args, ctx) =>
        ctx.prisma.syncHistory.findUnique({ ...query, where: { id: p.runId } }),
    }),
  }),
});

/** No filter = every run; `runId` and `crm` narrow it. */
function matches<T extends RunKey>(args: { runId?: string | number | null; crm?: string | null }) {
  return (payload: T): payload is T =>
    (args.runId == null || payload.runId === String(args.runId)) &&
    (args.crm == null || payload.crmSource === args.crm);
}

builder.subscriptionFields((t) => ({
  runProgress: t.field({
    type: RunProgressRef,
    args: { runId: t.arg.id({ required: false }), crm: t.arg.string({ required: false }) },
    subscribe: (_root, args, ctx) =>
      pipe(ctx.pubsub.subscribe('run:progress'), filter(matches<RunProgressPayload>(args))),
    resolve: (payload) => payload,
  }),
  runEvents: t.field({
    type: RunLogEventRef,
    args: { runId: t.arg.id({ required: false }), crm: t.arg.string({ required: false }) },
    subscribe: (_root, args, ctx) =>
      pipe(ctx.pubsub.subscribe('run:log'), filter(matches<RunLogPayload>(args))),
    resolve: (payload) => payload,
  }),
  runStarted: t.field({
    type: RunStatusChangeRef,
    args: { crm: t.arg.string({ required: false }) },
    subscribe: (_root, args, ctx) =>
      pipe(ctx.pubsub.subscribe('run:started'), filter(matches<RunStatusPayload>(args))),
    resolve: (payload) => payload,
  }),
  runFinished: t.field({
    type: RunStatusChangeRef,
    args: { runId: t.arg.id({ required: false }), crm: t.arg.string({ required: false }) },
    description:
      'Runs as they finish. With `runId`: that run’s end, at once if it has already ended (a NOT_FOUND error for an unknown run).',
    subscribe: (_root, args, ctx) => runFinished(ctx, args),
    resolve: (payload) => payload,
  }),
}));

/**
 * Listens first, then reads the run: a run that ends between the two is still delivered (by
 * the event), and one that had ended before the subscription is delivered from its row.
 */
function runFinished(
  ctx: ApiContext,
  args: { runId?: string | number | null; crm?: string | null },
): AsyncIterable<RunStatusPayload> {
  const live = pipe(ctx.pubsub.subscribe('run:finished'), filter(matches<RunStatusPayload>(args)));
  if (args.runId == null) return live;
  const runId = String(args.runId);
  return new Repeater<RunStatusPayload>(async (push, stop) => {
    const iterator = live[Symbol.asyncIterator]();
    stop.then(() => iterator.return?.());
    // The pub/sub listens from its first next(): ask before reading the row.
    let next = iterator.next();
    try {
      const row = await ctx.prisma.syncHistory.findUnique({ where: { id: runId } });
      if (!row) throw new NotFoundError('run', runId);
      if (row.status !== 'running') {
        if (args.crm == null || args.crm === row.crmSource) {
          await push({
            runId: row.id,
            crmSource: row.crmSource,
            syncType: row.syncType,
            status: row.status,
            at: (row.endTime ?? row.startTime).toISOString(),
          });
        }
        return stop();
      }
      for (;;) {
        const result = await Promise.race([next, stop.then(() => null)]);
        if (!result || result.done) return stop();
        await push(result.value);
        next = iterator.next();
      }
    } catch (error) {
      stop(error);
    }
  });
}
