import type { Command } from 'commander';
import type { Crmsync } from '../../app.js';
import type { Scheduler } from '../../scheduler/index.js';
import type { SyncSchedule } from '../../store/index.js';
import type { CliContext } from '../context.js';
import { table } from '../output.js';
import { addSyncFlags } from '../sync-flags.js';

const scheduleJson = (s: SyncSchedule) => ({
  id: s.id,
  crm: s.crmSource,
  entity: s.syncType,
  every: s.interval,
  cron: s.cron,
  options: s.options,
  enabled: s.enabled,
  pausedReason: s.pausedReason,
  nextRun: s.nextRun?.toISOString() ?? null,
  lastRunId: s.lastRunId,
});

function schedulesTable(rows: SyncSchedule[], color: boolean): string {
  return table(
    ['id', 'crm', 'entity', 'when', 'state', 'next run', 'last run'],
    rows.map((s) => [
      s.id,
      s.crmSource,
      s.syncType,
      s.interval ? `every ${s.interval}` : `cron ${s.cron}`,
      s.enabled ? 'active' : `paused${s.pausedReason ? `: ${s.pausedReason}` : ''}`,
      s.nextRun?.toISOString() ?? '-',
      s.lastRunId ?? '-',
    ]),
    color,
  );
}

/**
 * Opens crmsync and a scheduler that only mirrors (runs no job), so each change reaches
 * Agenda — and so every worker — at once, without a restart.
 */
async function withSchedules(
  ctx: CliContext,
  command: Command,
  fn: (app: Crmsync, scheduler: Scheduler) => Promise<void>,
): Promise<void> {
  const app = await ctx.open(command);
  try {
    const { startScheduler } = await import('../../scheduler/index.js');
    const scheduler = await startScheduler({
      app,
      env: ctx.env,
      processJobs: false,
      mirror: false,
      kind: 'cli',
    });
    try {
      await fn(app, scheduler);
    } finally {
      await scheduler.stop();
    }
  } finally {
    await app.close();
  }
}

/** `crmsync schedule add|list|pause|resume|rm`: recurring syncs kept in `sync_schedule`. */
export function registerSchedule(program: Command, ctx: CliContext) {
  const schedule = program
    .command('schedule')
    .description('recurring syncs: add, list, pause, resume, rm');

  const add = schedule
    .command('add')
    .description('sync <crm> <entity|all> every interval or on a cron expression')
    .argument('<crm>', 'the CRM plugin, e.g. hubspot')
    .argument('<entity>', 'an entity of that CRM, or "all"')
    .option('--every <interval>', 'e.g. "15 minutes", "15m", "2h", "1d" (at least 1 minute)')
    .option('--cron <expression>', 'e.g. "*/5 * * * *"');
  addSyncFlags(add, 'schedule')
    .option('--json', 'print the schedule as JSON')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(
      async (crm: string, entity: string, opts: Record<string, unknown>, command: Command) => {
        const { every, cron, json, ...flags } = opts;
        await withSchedules(ctx, command, async (app, scheduler) => {
          const { parsePluginArgs } = await import('../plugin-args.js');
          const pluginOptions = parsePluginArgs(
            command.args.slice(2),
            app.plugin(crm).plugin.options ?? {},
            crm,
          );
          // Refuse bad flags now, not at the first run in 15 minutes.
          app.syncs.parse({ crm, entity, flags, pluginOptions }, { configured: false });
          const options: Record<string, unknown> = {
            ...flags,
            ...(Object.keys(pluginOptions).length > 0 && { pluginOptions }),
          };
          const row = await scheduler.service.create({
            crmSource: crm,
            syncType: entity,
            interval: (every as string | undefined) ?? null,
            cron: (cron as string | undefined) ?? null,
            options,
          });
          const fresh = await app.store.prisma.syncSchedule.findUniqueOrThrow({
            where: { id: row.id },
          });
          ctx.io.out(
            json
              ? `${JSON.stringify(scheduleJson(fresh), null, 2)}\n`
              : `added schedule ${fresh.id}: ${crm} ${entity} ${fresh.interval ? `every ${fresh.interval}` : `cron ${fresh.cron}`}, next run ${fresh.nextRun?.toISOString() ?? 'when a worker computes it'}\n`,
          );
        });
      },
    );

  schedule
    .command('list')
    .description('every schedule with its next run')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const app = await ctx.open(command);
      try {
        const rows = await app.store.prisma.syncSchedule.findMany({
          orderBy: [{ crmSource: 'asc' }, { syncType: 'asc' }, { createdAt: 'asc' }],
        });
        ctx.io.out(
          opts.json
            ? `${JSON.stringify(rows.map(scheduleJson), null, 2)}\n`
            : rows.length
              ? schedulesTable(rows, ctx.io.isTTY)
              : 'No schedules. Add one: crmsync schedule add <crm> <entity|all> --every "15 minutes"\n',
        );
      } finally {
        await app.close();
      }
    });

  schedule
    .command('pause')
    .description('stop a schedule from running until it is resumed')
    .argument('<id>', 'schedule id (crmsync schedule list)')
    .option('--reason <text>', 'shown in list, the API and the dashboard')
    .action(async (id: string, opts: { reason?: string }, command: Command) => {
      await withSchedules(ctx, command, async (_app, scheduler) => {
        await scheduler.service.pause(id, opts.reason ?? 'paused from the command line');
        ctx.io.out(`paused schedule ${id}\n`);
      });
    });

  schedule
    .command('resume')
    .description('run a paused schedule again')
    .argument('<id>', 'schedule id (crmsync schedule list)')
    .action(async (id: string, _opts: unknown, command: Command) => {
      await withSchedules(ctx, command, async (_app, scheduler) => {
        const row = await scheduler.service.resume(id);
        ctx.io.out(`resumed schedule ${id}, next run ${row.nextRun?.toISOString() ?? '-'}\n`);
      });
    });

  schedule
    .command('rm')
    .description('delete a schedule')
    .argument('<id>', 'schedule id (crmsync schedule list)')
    .action(async (id: string, _opts: unknown, command: Command) => {
      await withSchedules(ctx, command, async (_app, scheduler) => {
        await scheduler.service.delete(id);
        ctx.io.out(`removed schedule ${id}\n`);
      });
    });
}
