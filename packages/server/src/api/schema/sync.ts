import { InputError } from '@crmsync/core';
import { NotFoundError, RunAlreadyActiveError } from '../errors.js';
import { builder } from './builder.js';
import { RunRef } from './runs.js';
import { checkTarget } from './schedules.js';

const StartSyncInput = builder.inputType('StartSyncInput', {
  description:
    'The `crmsync sync` command as input: every universal flag plus the plugin’s options.',
  fields: (t) => ({
    crm: t.string({ required: true }),
    entity: t.string({ required: true, description: 'An entity name, or `all`.' }),
    full: t.boolean({ required: false }),
    force: t.boolean({ required: false }),
    startDate: t.string({ required: false, description: 'YYYY-MM-DD' }),
    endDate: t.string({ required: false, description: 'YYYY-MM-DD' }),
    dryRun: t.boolean({ required: false }),
    batchSize: t.int({ required: false }),
    maxRecords: t.int({ required: false }),
    skipValidation: t.boolean({ required: false }),
    strictValidation: t.boolean({ required: false }),
    debug: t.boolean({ required: false }),
    pluginOptions: t.field({
      type: 'JSON',
      required: false,
      description: 'The plugin’s own options by name (see Crm.options).',
    }),
  }),
});

interface SyncStarted {
  runId: string;
  crm: string;
  entity: string;
}

const SyncStartedRef = builder.objectRef<SyncStarted>('SyncStarted').implement({
  fields: (t) => ({
    runId: t.exposeString('runId', { description: 'The run started (the first one for `all`).' }),
    crm: t.exposeString('crm'),
    entity: t.exposeString('entity'),
    run: t.prismaField({
      type: 'SyncHistory',
      resolve: (query, s, _args, ctx) =>
        ctx.prisma.syncHistory.findUniqueOrThrow({ ...query, where: { id: s.runId } }),
    }),
  }),
});

builder.mutationFields((t) => ({
  startSync: t.field({
    type: SyncStartedRef,
    description:
      'Starts a sync in this server process and returns once the run row exists. Refused while the same CRM entity is running.',
    errors: { types: [InputError, RunAlreadyActiveError] },
    args: { input: t.arg({ type: StartSyncInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const entities = checkTarget(ctx, input.crm, input.entity);
      const plugin = ctx.runtime.plugins.find((p) => p.plugin.name === input.crm)!;
      if (!plugin.configured) {
        throw new InputError(
          'crm',
          `a configured CRM (set the credentials of ${input.crm} first)`,
          input.crm,
        );
      }
      const pluginOptions = input.pluginOptions ?? {};
      if (
        typeof pluginOptions !== 'object' ||
        Array.isArray(pluginOptions) ||
        pluginOptions === null
      ) {
        throw new InputError(
          'pluginOptions',
          'a JSON object of the plugin’s options',
          pluginOptions,
        );
      }
      const { crm: _crm, entity: _entity, pluginOptions: _p, ...flags } = input;
      const raw = Object.fromEntries(
        Object.entries(flags).filter(([, v]) => v !== null && v !== undefined),
      );
      const options = ctx.runtime.parseOptions(
        plugin.plugin,
        raw,
        pluginOptions as Record<string, unknown>,
      );
      const runId = await ctx.runs.start({
        crm: input.crm,
        entity: input.entity,
        entities,
        options,
      });
      return { runId, crm: input.crm, entity: input.entity };
    },
  }),
  cancelSync: t.field({
    type: RunRef,
    description: 'Stops a run this server started at its next page; it finishes as failed.',
    errors: { types: [InputError, NotFoundError] },
    args: { runId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = String(args.runId);
      const run = await ctx.prisma.syncHistory.findUnique({
        where: { id },
        select: { status: true },
      });
      if (!run) throw new NotFoundError('run', id);
      if (run.status !== 'running')
        throw new InputError('runId', 'a run that is still running', run.status);
      if (!(await ctx.runs.cancel(id))) {
        throw new InputError(
          'runId',
          'a run started by this server process (a worker’s run stops on that worker)',
          id,
        );
      }
      return ctx.prisma.syncHistory.findUniqueOrThrow({ where: { id } });
    },
  }),
}));
