import type { SyncRun } from '@crmsync/core';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { exitCodeForRuns } from '../exit-codes.js';
import { runJson, runsTable } from '../output.js';
import { addSyncFlags } from '../sync-flags.js';

export function registerSync(program: Command, ctx: CliContext) {
  const command = program
    .command('sync')
    .description('sync one entity of a CRM, or all of them in dependency order')
    .argument('<crm>', 'the CRM plugin, e.g. hubspot')
    .argument('<entity>', 'an entity of that CRM, or "all"');
  addSyncFlags(command, 'sync')
    .option('--json', 'print the finished runs as JSON')
    .option('--wait', 'when another run of the entity is running, wait for it to end, then run')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(
      async (crm: string, entity: string, opts: Record<string, unknown>, command: Command) => {
        const app = await ctx.open(command, { plugin: crm, withoutPrisma: true });
        const [{ parsePluginArgs }, { useProgressBar }] = await Promise.all([
          import('../plugin-args.js'),
          import('../progress.js'),
        ]);
        const controller = new AbortController();
        const onSignal = () => controller.abort(new Error('interrupted by the user (Ctrl+C)'));
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        const progress = useProgressBar(ctx.io);
        try {
          const { json, wait, ...flags } = opts;
          const pluginOptions = parsePluginArgs(
            command.args.slice(2),
            app.plugin(crm).plugin.options ?? {},
            crm,
          );
          const request = app.syncs.parse({ crm, entity, flags, pluginOptions });
          const runs: SyncRun[] = await app.syncs.run(request, {
            trigger: 'cli',
            signal: controller.signal,
            waitIfRunning: wait === true,
            hooks: json ? [] : [progress],
          });
          if (json) ctx.io.out(`${JSON.stringify(runs.map(runJson), null, 2)}\n`);
          else {
            ctx.io.out(runsTable(runs, ctx.io.isTTY));
            for (const run of runs) {
              if (!run.errorMessage) continue;
              const who = `${run.crmSource} ${run.syncType}`;
              ctx.io.out(
                `${run.errorMessage.startsWith(who) ? '' : `${who}: `}${run.errorMessage}\n`,
              );
            }
          }
          ctx.setExitCode(exitCodeForRuns(runs.map((r) => r.status)));
        } finally {
          progress.stop();
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await app.close();
        }
      },
    );
}
