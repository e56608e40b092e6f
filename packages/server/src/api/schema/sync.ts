import { InputError, SYNC_FLAGS, type SyncFlag } from '@crmsync/core';
import { NotFoundError, RunAlreadyActiveError } from '../errors.js';
import { builder } from './builder.js';
import { RunRef } from './runs.js';

type InputFields = Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0];

/** A universal flag as a GraphQL input field, typed and described from core's flag table. */
function flagField(t: InputFields, flag: SyncFlag) {
  const format = flag.type === 'day' ? `${flag.valueName}: ` : '';
  const description = `${format}${flag.description} (--${flag.cli})`;
  if (flag.type === 'boolean') return t.boolean({ required: false, description });
  if (flag.type === 'integer') return t.int({ required: false, description });
  return t.string({ required: false, description });
}

const StartSyncInput = builder.inputType('StartSyncInput', {
  description:
    'The `crmsync sync` command as input: every universal flag plus the plugin’s options.',
  fields: (t) => ({
    crm: t.string({ required: true }),
    entity: t.string({ required: true, description: 'An entity name, or `all`.' }),
    ...Object.fromEntries(SYNC_FLAGS.map((flag) => [flag.key, flagField(t, flag)])),
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
      const { crm, entity, pluginOptions, ...flags } = input;
      const request = ctx.runtime.syncs.parse({ crm, entity, flags, pluginOptions });
      const runId = await ctx.runs.start(request);
      return { runId, crm, entity };
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
