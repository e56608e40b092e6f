import {
  CHANGE_STATES,
  type ChangeState,
  type Conflict,
  type ConflictField,
  InputError,
  type LocalChange,
  type PushProgress,
  type PushResult,
  type WritableField,
} from '@crmsync/core';
import { filter, pipe } from 'graphql-yoga';
import type { WriteProgressPayload } from '../../events/pubsub.js';
import type { WriteService } from '../../writes/write-service.js';
import { NotFoundError } from '../errors.js';
import type { ApiContext } from '../request-context.js';
import { builder } from './builder.js';
import { EntityRef } from './crms.js';
import { type RecordSyncStatus, RecordSyncStatusEnum } from './record-sync-status.js';
import { CrmRecordRef, RecordFilterInput } from './records.js';

builder.objectField(EntityRef, 'writable', (t) =>
  t.boolean({
    description: 'Local changes can be pushed to the CRM (the plugin declares a writer).',
    resolve: (e) => e.entity.write !== undefined,
  }),
);

const WritableFieldRef = builder
  .objectRef<{ name: string } & WritableField>('WritableField')
  .implement({
    description: 'A field local changes may set, as the CRM’s metadata describes it.',
    fields: (t) => ({
      name: t.exposeString('name'),
      type: t.exposeString('type', {
        description:
          'string | text | email | phone | url | integer | decimal | boolean | date | datetime | picklist | multipicklist',
      }),
      options: t.exposeStringList('options', {
        nullable: true,
        description: 'The values a picklist accepts (the CRM’s API values).',
      }),
      maxLength: t.exposeInt('maxLength', { nullable: true }),
      label: t.exposeString('label', { nullable: true }),
    }),
  });

builder.objectField(EntityRef, 'writableFields', (t) =>
  t.field({
    type: [WritableFieldRef],
    description:
      'The fields local changes may set, from the CRM’s metadata (empty for a read-only entity).',
    resolve: async (e, _args, ctx) => {
      if (!e.entity.write) return [];
      const fields = await writesOf(ctx).writableFields(e.crm, e.entity.name);
      return Object.entries(fields).map(([name, f]) => ({ name, ...f }));
    },
  }),
);

interface RecordSync {
  status: RecordSyncStatus;
  reason: string | null;
  changedAt: Date | null;
}

const RecordSyncRef = builder.objectRef<RecordSync>('RecordSync').implement({
  description: 'Where a record stands in two-way sync.',
  fields: (t) => ({
    status: t.field({ type: RecordSyncStatusEnum, resolve: (r) => r.status }),
    reason: t.exposeString('reason', {
      nullable: true,
      description: 'Why the newest change was rejected (the CRM’s reason).',
    }),
    changedAt: t.expose('changedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the newest local change was made.',
    }),
  }),
});

/** An open conflict wins; otherwise the newest change's state (none: synced). */
export function recordSyncOf(
  changes: Array<{ state: string; reason: string | null; createdAt: Date }>,
): RecordSync {
  const newest = changes[0];
  if (!newest) return { status: 'synced', reason: null, changedAt: null };
  const status: RecordSyncStatus = changes.some((c) => c.state === 'conflict')
    ? 'conflict'
    : newest.state === 'pending' || newest.state === 'pushing'
      ? 'pending'
      : newest.state === 'rejected'
        ? 'rejected'
        : 'synced';
  return {
    status,
    reason: status === 'rejected' ? newest.reason : null,
    changedAt: newest.createdAt,
  };
}

builder.objectField(CrmRecordRef, 'sync', (t) =>
  t.field({
    type: RecordSyncRef,
    description: 'The record’s two-way sync status, from its local changes.',
    resolve: async (r, _args, ctx) =>
      recordSyncOf(
        await ctx.prisma.localChange.findMany({
          where: { crmSource: r.crmSource, entity: r.entity, externalId: r.externalId },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          select: { state: true, reason: true, createdAt: true },
          take: 50,
        }),
      ),
  }),
);

function writesOf(ctx: ApiContext): WriteService {
  if (!ctx.runtime.writes)
    throw new InputError('crm', 'a server that can write to CRMs (this host is read-only)');
  return ctx.runtime.writes;
}

const ChangeStateEnum = builder.enumType('ChangeState', {
  description: 'pending → pushing → synced; or held as a conflict; or rejected by the CRM.',
  values: CHANGE_STATES,
});

const ConflictSideEnum = builder.enumType('ConflictSide', {
  description: 'Which side a resolution keeps.',
  values: ['local', 'remote'] as const,
});

const LocalChangeRef = builder.objectRef<LocalChange>('LocalChange').implement({
  description: 'A change made here to a synced record, pushed by a three-way merge per field.',
  fields: (t) => ({
    id: t.exposeID('id'),
    crm: t.string({ resolve: (c) => c.crmSource }),
    entity: t.exposeString('entity'),
    recordId: t.exposeString('recordId'),
    fields: t.expose('fields', {
      type: 'JSON',
      description: 'The changed fields and their local values.',
    }),
    base: t.expose('base', {
      type: 'JSON',
      description: 'Each changed field’s value as last synced.',
    }),
    baseRemoteModifiedAt: t.expose('baseRemoteModifiedAt', { type: 'DateTime', nullable: true }),
    author: t.exposeString('author'),
    state: t.field({ type: ChangeStateEnum, resolve: (c) => c.state }),
    reason: t.exposeString('reason', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    runId: t.exposeString('runId', { nullable: true }),
  }),
});

const ConflictFieldRef = builder.objectRef<ConflictField>('ConflictField').implement({
  fields: (t) => ({
    field: t.exposeString('field'),
    base: t.expose('base', { type: 'JSON', nullable: true }),
    local: t.expose('local', { type: 'JSON', nullable: true }),
    remote: t.expose('remote', { type: 'JSON', nullable: true }),
  }),
});

const ConflictRef = builder.objectRef<Conflict>('Conflict').implement({
  description: 'Fields changed here and at the CRM to different values: held, never overwritten.',
  fields: (t) => ({
    id: t.exposeID('id'),
    crm: t.string({ resolve: (c) => c.crmSource }),
    entity: t.exposeString('entity'),
    recordId: t.exposeString('recordId'),
    fields: t.field({ type: [ConflictFieldRef], resolve: (c) => c.fields }),
    localModifiedAt: t.expose('localModifiedAt', { type: 'DateTime' }),
    remoteModifiedAt: t.expose('remoteModifiedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true }),
    resolution: t.exposeString('resolution', {
      nullable: true,
      description: 'local | remote | value',
    }),
  }),
});

const PushResultRef = builder.objectRef<PushResult>('PushResult').implement({
  description: 'What one push (or mass update) of an entity did; its history row is `run`.',
  fields: (t) => ({
    runId: t.exposeString('runId'),
    status: t.exposeString('status', { description: 'success | partial | failed' }),
    processed: t.exposeInt('processed'),
    written: t.exposeInt('written'),
    unchanged: t.exposeInt('unchanged', { description: 'Already held by the CRM.' }),
    conflicts: t.exposeInt('conflicts'),
    rejected: t.exposeInt('rejected'),
    errorMessage: t.exposeString('errorMessage', { nullable: true }),
    run: t.prismaField({
      type: 'SyncHistory',
      resolve: (query, r, _args, ctx) =>
        ctx.prisma.syncHistory.findUniqueOrThrow({ ...query, where: { id: r.runId } }),
    }),
  }),
});

const UpdateRecordResultRef = builder
  .objectRef<{ change: LocalChange; push?: PushResult }>('UpdateRecordResult')
  .implement({
    fields: (t) => ({
      change: t.field({ type: LocalChangeRef, resolve: (r) => r.change }),
      push: t.field({ type: PushResultRef, nullable: true, resolve: (r) => r.push ?? null }),
    }),
  });

const ResolveConflictResultRef = builder
  .objectRef<{ conflict: Conflict; change: LocalChange; push?: PushResult }>(
    'ResolveConflictResult',
  )
  .implement({
    fields: (t) => ({
      conflict: t.field({ type: ConflictRef, resolve: (r) => r.conflict }),
      change: t.field({ type: LocalChangeRef, resolve: (r) => r.change }),
      push: t.field({ type: PushResultRef, nullable: true, resolve: (r) => r.push ?? null }),
    }),
  });

const MassUpdateStartedRef = builder
  .objectRef<{ runId: string; total: number }>('MassUpdateStarted')
  .implement({
    description: 'A mass update running in the background: follow `writeProgress(runId)`.',
    fields: (t) => ({ runId: t.exposeString('runId'), total: t.exposeInt('total') }),
  });

const WriteProgressRef = builder.objectRef<WriteProgressPayload>('WriteProgress').implement({
  description: 'Progress of a push or mass update, batch by batch.',
  fields: (t) => ({
    runId: t.exposeID('runId'),
    crm: t.string({ resolve: (p) => p.crmSource }),
    entity: t.exposeString('entity'),
    operation: t.exposeString('operation', { description: 'push | mass-update' }),
    total: t.exposeInt('total'),
    processed: t.exposeInt('processed'),
    written: t.exposeInt('written'),
    unchanged: t.exposeInt('unchanged'),
    conflicts: t.exposeInt('conflicts'),
    rejected: t.exposeInt('rejected'),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const UpdateRecordInput = builder.inputType('UpdateRecordInput', {
  fields: (t) => ({
    crm: t.string({ required: true }),
    entity: t.string({ required: true }),
    id: t.string({ required: true, description: 'The record’s id at the CRM.' }),
    values: t.field({
      type: 'JSON',
      required: true,
      description: 'Field → value, with the CRM’s field names.',
    }),
    push: t.boolean({
      required: false,
      defaultValue: true,
      description: 'false: only record the change.',
    }),
  }),
});

const MassUpdateInput = builder.inputType('MassUpdateInput', {
  fields: (t) => ({
    crm: t.string({ required: true }),
    entity: t.string({ required: true }),
    set: t.field({
      type: 'JSON',
      required: true,
      description: 'Field → value to set on every record.',
    }),
    ids: t.stringList({ required: false, description: 'These records …' }),
    where: t.field({
      type: [RecordFilterInput],
      required: false,
      description: '… or the stored records matching every filter.',
    }),
  }),
});

function progressPublisher(ctx: ApiContext, operation: 'push' | 'mass-update') {
  return (p: PushProgress) =>
    ctx.pubsub.publish('write:progress', {
      runId: p.runId,
      crmSource: p.crmSource,
      entity: p.entity,
      operation,
      total: p.total,
      processed: p.processed,
      written: p.written,
      unchanged: p.unchanged,
      conflicts: p.conflicts,
      rejected: p.rejected,
      at: new Date().toISOString(),
    });
}

function jsonObject(field: string, value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new InputError(field, 'an object of field → value', value);
  return value as Record<string, unknown>;
}

/** A page of a keyset-paged list: one more than asked tells whether there is a next page. */
function page<T extends { id: string }>(
  items: T[],
  first: number,
  after: string | null | undefined,
) {
  const nodes = items.slice(0, first);
  return {
    edges: nodes.map((node) => ({ node, cursor: node.id })),
    pageInfo: {
      hasNextPage: items.length > first,
      hasPreviousPage: after != null,
      startCursor: nodes[0]?.id ?? null,
      endCursor: nodes.at(-1)?.id ?? null,
    },
  };
}

function firstOf(args: {
  first?: number | null;
  last?: number | null;
  before?: string | null;
}): number {
  if (args.last != null || args.before != null)
    throw new InputError('last', 'forward pagination (first/after) only');
  const first = args.first ?? 50;
  if (!Number.isInteger(first) || first < 1 || first > 500)
    throw new InputError('first', 'an integer from 1 to 500', first);
  return first;
}

builder.queryFields((t) => ({
  conflicts: t.connection({
    type: ConflictRef,
    description: 'Open conflicts, oldest first (resolved ones too with includeResolved).',
    args: {
      crm: t.arg.string({ required: false }),
      includeResolved: t.arg.boolean({ required: false, defaultValue: false }),
    },
    resolve: async (_root, args, ctx) => {
      const first = firstOf(args);
      const items = await writesOf(ctx).listConflicts({
        ...(args.crm && { crm: args.crm }),
        includeResolved: args.includeResolved ?? false,
        limit: first + 1,
        ...(args.after && { after: args.after }),
      });
      return page(items, first, args.after);
    },
  }),
  pendingChanges: t.connection({
    type: LocalChangeRef,
    description:
      'Local changes, oldest first: by default those not yet written (pending, pushing, conflict, rejected).',
    args: {
      crm: t.arg.string({ required: false }),
      entity: t.arg.string({ required: false }),
      states: t.arg({ type: [ChangeStateEnum], required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const first = firstOf(args);
      const states: ChangeState[] = args.states ?? ['pending', 'pushing', 'conflict', 'rejected'];
      const items = await writesOf(ctx).listChanges({
        ...(args.crm && { crm: args.crm }),
        ...(args.entity && { entity: args.entity }),
        states,
        limit: first + 1,
        ...(args.after && { after: args.after }),
      });
      return page(items, first, args.after);
    },
  }),
}));

builder.mutationFields((t) => ({
  updateRecord: t.field({
    type: UpdateRecordResultRef,
    description:
      'Records a change of a synced record and (unless push is false) pushes it at once.',
    errors: { types: [InputError] },
    args: { input: t.arg({ type: UpdateRecordInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      writesOf(ctx).update(
        {
          crm: input.crm,
          entity: input.entity,
          id: input.id,
          values: jsonObject('values', input.values),
          author: 'api',
          push: input.push ?? true,
        },
        { trigger: 'api', onProgress: progressPublisher(ctx, 'push') },
      ),
  }),
  pushChanges: t.field({
    type: [PushResultRef],
    description:
      'Pushes what is pending for a CRM (one entity, or every writable one with changes).',
    errors: { types: [InputError] },
    args: { crm: t.arg.string({ required: true }), entity: t.arg.string({ required: false }) },
    resolve: (_root, args, ctx) =>
      writesOf(ctx).push(args.crm, args.entity ?? undefined, {
        trigger: 'api',
        onProgress: progressPublisher(ctx, 'push'),
      }),
  }),
  resolveConflict: t.field({
    type: ResolveConflictResultRef,
    description: 'Keeps the local side (written to the CRM), the remote side, or a typed value.',
    errors: { types: [InputError, NotFoundError] },
    args: {
      id: t.arg.id({ required: true }),
      keep: t.arg({ type: ConflictSideEnum, required: false }),
      value: t.arg({
        type: 'JSON',
        required: false,
        description: 'Field → value to write instead of either side.',
      }),
    },
    resolve: (_root, args, ctx) => {
      if ((args.keep == null) === (args.value == null))
        throw new InputError('keep', 'either keep or value');
      const resolution = args.keep
        ? { keep: args.keep }
        : { value: jsonObject('value', args.value) };
      return writesOf(ctx).resolve(String(args.id), resolution, {
        trigger: 'api',
        onProgress: progressPublisher(ctx, 'push'),
      });
    },
  }),
  massUpdate: t.field({
    type: MassUpdateStartedRef,
    description:
      'Sets fields on up to 50,000 records in the background; returns once its run exists.',
    errors: { types: [InputError] },
    args: { input: t.arg({ type: MassUpdateInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const started = await writesOf(ctx).startMassUpdate(
        {
          crm: input.crm,
          entity: input.entity,
          set: jsonObject('set', input.set),
          ...(input.ids && { ids: input.ids }),
          ...(input.where && {
            where: input.where.map((f) => ({ field: f.field, op: f.op, value: f.value ?? null })),
          }),
          author: 'api',
        },
        { trigger: 'api', onProgress: progressPublisher(ctx, 'mass-update') },
      );
      return { runId: started.runId, total: started.total };
    },
  }),
  cancelMassUpdate: t.boolean({
    description:
      'Stops a mass update of this server between batches; what it did not push is rejected as cancelled.',
    args: { runId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => writesOf(ctx).cancel(String(args.runId)),
  }),
}));

function progressOf(
  ctx: ApiContext,
  args: { runId?: string | number | null; crm?: string | null },
  operation: 'push' | 'mass-update' | null,
) {
  return pipe(
    ctx.pubsub.subscribe('write:progress'),
    filter(
      (p: WriteProgressPayload) =>
        (args.runId == null || p.runId === String(args.runId)) &&
        (args.crm == null || p.crmSource === args.crm) &&
        (operation == null || p.operation === operation),
    ),
  );
}

builder.subscriptionFields((t) => ({
  pushProgress: t.field({
    type: WriteProgressRef,
    description: 'Progress of pushes of local changes, batch by batch.',
    args: { runId: t.arg.id({ required: false }), crm: t.arg.string({ required: false }) },
    subscribe: (_root, args, ctx) => progressOf(ctx, args, 'push'),
    resolve: (payload) => payload,
  }),
  massUpdateProgress: t.field({
    type: WriteProgressRef,
    description: 'Progress of mass updates, batch by batch.',
    args: { runId: t.arg.id({ required: false }), crm: t.arg.string({ required: false }) },
    subscribe: (_root, args, ctx) => progressOf(ctx, args, 'mass-update'),
    resolve: (payload) => payload,
  }),
}));
