import {
  InputError,
  type PluginOptionsSpec,
  REMOVED_FLAGS,
  removedFlagError,
  type SyncRun,
} from '@crmsync/core';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { exitCodeForRuns } from '../exit-codes.js';
import { runJson, runsTable } from '../output.js';
import { useProgressBar } from '../progress.js';
import { addSyncFlags } from '../sync-flags.js';

/** `--name value`, `--name=value` and bare `--flag` after the entity: the plugin's own options. */
export function parsePluginArgs(
  args: string[],
  spec: PluginOptionsSpec,
  crm: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--'))
      throw new InputError('arguments', `sync <crm> <entity|all> [flags]; unexpected "${arg}"`);
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (REMOVED_FLAGS[rawName]) throw removedFlagError(rawName);
    const name =
      rawName.startsWith('no-') && spec[rawName.slice(3)]?.type === 'boolean'
        ? rawName.slice(3)
        : rawName;
    const option = spec[name];
    if (!option) {
      const known = Object.keys(spec).map((k) => `--${k}`);
      throw new InputError(
        `--${rawName}`,
        known.length
          ? `a universal flag or one of ${crm}'s options: ${known.join(', ')}`
          : `a universal flag (${crm} has no options of its own)`,
      );
    }
    if (option.type === 'boolean') {
      out[name] = inline !== undefined ? inline : !rawName.startsWith('no-');
      continue;
    }
    const value = inline ?? args[i + 1];
    if (inline === undefined) i++;
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      throw new InputError(`--${name}`, `a value (${option.description})`);
    out[name] = value;
  }
  return out;
}

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
        const app = await ctx.open(command);
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
