import type { Command } from 'commander';
import type { PluginSummary } from '../../app.js';
import type { CliContext } from '../context.js';
import { statusText, table } from '../output.js';

function notConfigured(p: PluginSummary): string {
  return `not configured: ${[
    ...(p.missing.length ? [`set ${p.missing.join(', ')}`] : []),
    ...p.invalid.map((i) => `${i.env} is malformed (expected ${i.expected})`),
  ].join('; ')}`;
}

export function registerList(program: Command, ctx: CliContext) {
  program
    .command('list')
    .description(
      'installed CRM plugins, their entities, whether they are configured, and the last run of each',
    )
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const app = await ctx.open(command, { withoutPrisma: true });
      try {
        const plugins = await app.listPlugins();
        if (opts.json) {
          ctx.io.out(
            `${JSON.stringify(
              plugins.map((p) => ({
                ...p,
                entities: p.entities.map((e) => ({
                  name: e.name,
                  writable: e.writable,
                  records: e.records,
                  lastRun: e.lastRun && {
                    id: e.lastRun.id,
                    status: e.lastRun.status,
                    startTime: e.lastRun.startTime.toISOString(),
                  },
                })),
              })),
              null,
              2,
            )}\n`,
          );
          return;
        }
        if (plugins.length === 0)
          ctx.io.out(
            'No CRM plugins are installed. Install one, e.g. npm install @crmsync/plugin-hubspot\n',
          );
        for (const p of plugins) {
          const writable = p.entities.filter((e) => e.writable).map((e) => e.name);
          ctx.io.out(
            `${p.displayName} (${p.name}, ${p.kind}) — ${p.configured ? 'configured' : notConfigured(p)}; ${writable.length ? `writes ${writable.join(', ')}` : 'read-only'}\n`,
          );
          ctx.io.out(
            table(
              ['entity', 'records', 'last run', 'status', 'processed'],
              p.entities.map((e) => [
                e.name,
                e.records,
                e.lastRun
                  ? e.lastRun.startTime.toISOString().replace('T', ' ').slice(0, 19)
                  : 'never',
                e.lastRun ? statusText(e.lastRun.status, ctx.io.isTTY) : '',
                e.lastRun?.counts.processed ?? '',
              ]),
              ctx.io.isTTY,
            ),
          );
        }
      } finally {
        await app.close();
      }
    });
}
