import { filter, pipe } from 'graphql-yoga';
import type {
  RunLogPayload,
  RunProgressPayload,
  RunRef as RunKey,
  RunStatusPayload,
} from '../../events/pubsub.js';
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
    subscribe: (_root, args, ctx) =>
      pipe(ctx.pubsub.subscribe('run:finished'), filter(matches<RunStatusPayload>(args))),
    resolve: (payload) => payload,
  }),
}));
