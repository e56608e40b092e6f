import { type EntityDefinition, InputError } from '@crmsync/core';
import type { ApiContext } from '../request-context.js';
import { checkPageSize, RECORD_FILTER_OPS, RecordQuery } from '../../records/records-query.js';
import { builder } from './builder.js';
import { RecordSyncStatusEnum } from './record-sync-status.js';
import { EntityRef, FieldDefinitionRef, fieldDefinitions } from './crms.js';

interface RecordFieldValue {
  name: string;
  type: string;
  value: unknown;
}

const RecordFieldValueRef = builder.objectRef<RecordFieldValue>('RecordFieldValue').implement({
  description: 'One field of a record, in the entity’s field-schema order, with its schema type.',
  fields: (t) => ({
    name: t.exposeString('name'),
    type: t.exposeString('type'),
    value: t.expose('value', { type: 'JSON', nullable: true }),
  }),
});

function entityOf(ctx: ApiContext, crm: string, entity: string): EntityDefinition | undefined {
  return ctx.runtime.plugins
    .find((p) => p.plugin.name === crm)
    ?.entities.find((e) => e.name === entity);
}

export const CrmRecordRef = builder.prismaObject('CrmRecord', {
  name: 'CrmRecord',
  description:
    'A CRM record as last synced. `fields` lists the entity’s schema fields in order with their types; `data` is the whole mapped record.',
  fields: (t) => ({
    crmSource: t.exposeString('crmSource'),
    entity: t.exposeString('entity'),
    externalId: t.exposeString('externalId'),
    fields: t.field({
      type: [RecordFieldValueRef],
      resolve: (r, _args, ctx) => {
        const data = (r.data ?? {}) as Record<string, unknown>;
        const entity = entityOf(ctx, r.crmSource, r.entity);
        if (!entity)
          return Object.entries(data).map(([name, value]) => ({ name, type: 'json', value }));
        return Object.entries(entity.fields).map(([name, spec]) => ({
          name,
          type: spec.type,
          value: data[name] ?? null,
        }));
      },
    }),
    data: t.expose('data', { type: 'JSON' }),
    contentHash: t.exposeString('contentHash'),
    remoteUpdatedAt: t.expose('remoteUpdatedAt', { type: 'DateTime', nullable: true }),
    remoteCreatedAt: t.expose('remoteCreatedAt', { type: 'DateTime', nullable: true }),
    firstSyncedAt: t.expose('firstSyncedAt', { type: 'DateTime' }),
    lastSyncedAt: t.expose('lastSyncedAt', { type: 'DateTime' }),
    deletedAt: t.expose('deletedAt', { type: 'DateTime', nullable: true }),
    lastRunId: t.exposeString('lastRunId', { nullable: true }),
  }),
});

const RecordFilterOpEnum = builder.enumType('RecordFilterOp', { values: RECORD_FILTER_OPS });

const SortDirectionEnum = builder.enumType('SortDirection', { values: ['ASC', 'DESC'] as const });

export const RecordFilterInput = builder.inputType('RecordFilter', {
  description: 'A condition on one field of the entity’s schema. Numbers compare as numbers.',
  fields: (t) => ({
    field: t.string({ required: true }),
    op: t.field({ type: RecordFilterOpEnum, required: true, defaultValue: 'EQUALS' }),
    value: t.string({ required: false }),
  }),
});

const RecordSortInput = builder.inputType('RecordSort', {
  fields: (t) => ({
    field: t.string({
      required: true,
      description: 'externalId, lastSyncedAt, remoteUpdatedAt or a field of the entity’s schema.',
    }),
    direction: t.field({ type: SortDirectionEnum, required: true, defaultValue: 'ASC' }),
  }),
});

builder.queryFields((t) => ({
  entity: t.field({
    type: EntityRef,
    nullable: true,
    description: 'One entity of a CRM, with its field schema.',
    args: { crm: t.arg.string({ required: true }), name: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => {
      const entity = entityOf(ctx, args.crm, args.name);
      return entity ? { crm: args.crm, entity } : null;
    },
  }),
  records: t.connection(
    {
      type: CrmRecordRef,
      description:
        'Records of one entity: search, filters on fields, sort, keyset pagination forward (`first`/`after`) and backward (`last`/`before`).',
      args: {
        crm: t.arg.string({ required: true }),
        entity: t.arg.string({ required: true }),
        search: t.arg.string({
          required: false,
          description: 'Matches the value of any field, or the id (never field names).',
        }),
        filters: t.arg({ type: [RecordFilterInput], required: false }),
        sort: t.arg({ type: RecordSortInput, required: false }),
        includeDeleted: t.arg.boolean({ required: false, defaultValue: false }),
        syncStatus: t.arg({
          type: RecordSyncStatusEnum,
          required: false,
          description: 'Only records in this two-way sync status.',
        }),
      },
      resolve: async (_root, args, ctx) => {
        if (args.after != null && args.before != null)
          throw new InputError('before', 'either after (forward) or before (backward), not both');
        if (args.first != null && args.last != null)
          throw new InputError('last', 'either first (forward) or last (backward), not both');
        const entity = entityOf(ctx, args.crm, args.entity);
        if (!entity) throw new InputError('entity', `an entity of ${args.crm}`, args.entity);
        // Backward keyset paging: `last` rows before `before` (or the last page), in order.
        const backward = args.last != null || args.before != null;
        const first = backward ? checkPageSize(args.last, 50, 'last') : checkPageSize(args.first);
        const query = new RecordQuery(ctx.prisma, ctx.runtime.provider);
        const request = {
          crm: args.crm,
          entity: args.entity,
          fields: entity.fields,
          search: args.search,
          filters: args.filters?.map((f) => ({ field: f.field, op: f.op, value: f.value })),
          sort: args.sort,
          includeDeleted: args.includeDeleted ?? false,
          first,
          after: backward ? null : args.after,
          before: backward ? args.before : null,
          backward,
          primaryKey: entity.primaryKey,
          syncStatus: args.syncStatus ?? null,
        };
        const page = await query.page(request);
        return {
          edges: page.records.map((node, i) => ({ node, cursor: page.cursors[i]! })),
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: page.hasPreviousPage,
            startCursor: page.cursors[0] ?? null,
            endCursor: page.cursors.at(-1) ?? null,
          },
          columns: fieldDefinitions(entity),
          totalCount: () => query.count(request),
        };
      },
    },
    {
      name: 'CrmRecordConnection',
      fields: (c) => ({
        columns: c.field({
          type: [FieldDefinitionRef],
          description: 'The entity’s field schema: the columns of the page.',
          resolve: (conn) => (conn as unknown as RecordConnectionExtras).columns,
        }),
        totalCount: c.int({
          description: 'Matching records (counted only when asked for).',
          resolve: (conn) => (conn as unknown as RecordConnectionExtras).totalCount(),
        }),
      }),
    },
  ),
}));

interface RecordConnectionExtras {
  columns: ReturnType<typeof fieldDefinitions>;
  totalCount(): Promise<number>;
}
