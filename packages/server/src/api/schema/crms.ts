import type { ConfigFieldSpec, EntityDefinition, FieldSpec, PluginOptionSpec } from '@crmsync/core';
import { countLiveRecords } from '../../store/index.js';
import type { ApiPlugin } from '../../runtime/api-runtime.js';
import { builder } from './builder.js';
import { RunRef, RunStatusEnum } from './runs.js';

interface EntityParent {
  crm: string;
  entity: EntityDefinition;
}

export const FieldDefinitionRef = builder
  .objectRef<{ name: string; spec: FieldSpec }>('FieldDefinition')
  .implement({
    description: 'One field of an entity’s schema: the columns of its records.',
    fields: (t) => ({
      name: t.string({ resolve: (f) => f.name }),
      type: t.string({
        description:
          'string | text | email | phone | url | date | datetime | decimal | integer | boolean | zip_code | state | object_id | json',
        resolve: (f) => f.spec.type,
      }),
      required: t.boolean({ resolve: (f) => f.spec.required ?? false }),
      indexed: t.boolean({
        description:
          'The store indexes this field: filters and sorts on it read an index. On any other field they read every record of the entity, within a time budget (error code SCAN_TIMEOUT).',
        resolve: (f) => f.spec.indexed === true,
      }),
      description: t.string({ nullable: true, resolve: (f) => f.spec.description ?? null }),
    }),
  });

export function fieldDefinitions(entity: EntityDefinition) {
  return Object.entries(entity.fields).map(([name, spec]) => ({ name, spec }));
}

export const EntityRef = builder.objectRef<EntityParent>('Entity').implement({
  description: 'One entity of a CRM (its sync_type) with its last run.',
  fields: (t) => ({
    name: t.string({ resolve: (e) => e.entity.name }),
    displayName: t.string({ resolve: (e) => e.entity.displayName ?? e.entity.name }),
    description: t.string({ nullable: true, resolve: (e) => e.entity.description ?? null }),
    primaryKey: t.string({ resolve: (e) => e.entity.primaryKey }),
    deltaKind: t.string({
      description: 'updated-since | created-since | trailing-window | none',
      resolve: (e) => e.entity.delta.kind,
    }),
    dependsOn: t.stringList({ resolve: (e) => e.entity.dependsOn ?? [] }),
    fields: t.field({ type: [FieldDefinitionRef], resolve: (e) => fieldDefinitions(e.entity) }),
    lastRun: t.prismaField({
      type: 'SyncHistory',
      nullable: true,
      resolve: (query, e, _args, ctx) =>
        ctx.prisma.syncHistory.findFirst({
          ...query,
          where: { crmSource: e.crm, syncType: e.entity.name, dryRun: false },
          orderBy: { startTime: 'desc' },
        }),
    }),
    status: t.field({
      type: RunStatusEnum,
      nullable: true,
      description: 'The status of the last run; null before the first.',
      resolve: async (e, _args, ctx) => {
        const last = await ctx.prisma.syncHistory.findFirst({
          where: { crmSource: e.crm, syncType: e.entity.name, dryRun: false },
          orderBy: { startTime: 'desc' },
          select: { status: true },
        });
        return (last?.status ?? null) as typeof RunStatusEnum.$inferType | null;
      },
    }),
    recordCount: t.int({
      description: 'Live (not soft-deleted) records stored for the entity.',
      resolve: (e, _args, ctx) => countLiveRecords(ctx.prisma, e.crm, e.entity.name),
    }),
  }),
});

export const PluginOptionRef = builder
  .objectRef<{ name: string; spec: PluginOptionSpec }>('PluginOption')
  .implement({
    description: 'One of the plugin’s own sync options (passed in StartSyncInput.pluginOptions).',
    fields: (t) => ({
      name: t.string({ resolve: (o) => o.name }),
      type: t.string({
        description: 'boolean | integer | string | enum',
        resolve: (o) => o.spec.type,
      }),
      description: t.string({ resolve: (o) => o.spec.description }),
      default: t.field({ type: 'JSON', nullable: true, resolve: (o) => o.spec.default ?? null }),
      choices: t.stringList({
        nullable: true,
        resolve: (o) => (o.spec.choices ? [...o.spec.choices] : null),
      }),
      min: t.float({ nullable: true, resolve: (o) => o.spec.min ?? null }),
      max: t.float({ nullable: true, resolve: (o) => o.spec.max ?? null }),
    }),
  });

export const ConfigFieldRef = builder
  .objectRef<{ name: string; spec: ConfigFieldSpec }>('ConfigField')
  .implement({
    description: 'One credential or setting of a plugin. Values are never returned.',
    fields: (t) => ({
      name: t.string({ resolve: (c) => c.name }),
      env: t.string({ resolve: (c) => c.spec.env }),
      description: t.string({ resolve: (c) => c.spec.description }),
      secret: t.boolean({ resolve: (c) => c.spec.secret ?? false }),
      required: t.boolean({ resolve: (c) => c.spec.required ?? false }),
    }),
  });

export const CrmRef = builder.objectRef<ApiPlugin>('Crm').implement({
  description: 'An installed CRM plugin.',
  fields: (t) => ({
    name: t.string({ description: 'The crm_source.', resolve: (p) => p.plugin.name }),
    displayName: t.string({ resolve: (p) => p.plugin.displayName }),
    kind: t.string({ description: 'api | database | file', resolve: (p) => p.plugin.kind }),
    description: t.string({ nullable: true, resolve: (p) => p.plugin.description ?? null }),
    configured: t.boolean({ resolve: (p) => p.configured }),
    entities: t.field({
      type: [EntityRef],
      resolve: (p) => p.entities.map((entity) => ({ crm: p.plugin.name, entity })),
    }),
    options: t.field({
      type: [PluginOptionRef],
      resolve: (p) =>
        Object.entries(p.plugin.options ?? {}).map(([name, spec]) => ({ name, spec })),
    }),
    configFields: t.field({
      type: [ConfigFieldRef],
      resolve: (p) => Object.entries(p.plugin.config).map(([name, spec]) => ({ name, spec })),
    }),
  }),
});

builder.queryFields((t) => ({
  crms: t.field({
    type: [CrmRef],
    description: 'Installed CRM plugins.',
    resolve: (_root, _args, ctx) => ctx.runtime.plugins,
  }),
  crm: t.field({
    type: CrmRef,
    nullable: true,
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      ctx.runtime.plugins.find((p) => p.plugin.name === args.name) ?? null,
  }),
}));

export { RunRef };
