import type { RunStatus } from '@crmsync/core';
import { InputError } from '@crmsync/core/errors';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { runJson, runsTable } from '../output.js';

const STATUSES: RunStatus[] = ['running', 'success', 'partial', 'failed'];

export function registerHistory(program: Command, ctx: CliContext) {
  program
    .command('history')
    .description('sync runs, newest first')
    .option('--crm <name>', 'only this CRM')
    .option('--entity <name>', 'only this entity')
    .option('--status <status>', `only runs with this status (${STATUSES.join(', ')})`)
    .option('--since-date <YYYY-MM-DD>', 'runs started on or after this day')
    .option('--limit <n>', 'at most n runs', '20')
    .option('--json', 'print as JSON')
    .action(async (opts: Record<string, string | boolean | undefined>, command: Command) => {
      const status = opts.status as string | undefined;
      if (status && !STATUSES.includes(status as RunStatus))
        throw new InputError('--status', `one of ${STATUSES.join(', ')}`, status);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new InputError('--limit', 'a whole number of at least 1', opts.limit);
      let startedAfter: Date | undefined;
      if (typeof opts.sinceDate === 'string') {
        startedAfter = new Date(`${opts.sinceDate}T00:00:00.000Z`);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.sinceDate) || Number.isNaN(startedAfter.getTime()))
          throw new InputError('--since-date', 'a date as YYYY-MM-DD', opts.sinceDate);
        startedAfter = new Date(startedAfter.getTime() - 1);
      }
      const app = await ctx.open(command, { withoutPrisma: true });
      try {
        const runs = await app.history({
          limit,
          ...(typeof opts.crm === 'string' && { crmSource: opts.crm }),
          ...(typeof opts.entity === 'string' && { syncType: opts.entity }),
          ...(status && { status: status as RunStatus }),
          ...(startedAfter && { startedAfter }),
        });
        ctx.io.out(
          opts.json
            ? `${JSON.stringify(runs.map(runJson), null, 2)}\n`
            : runs.length
              ? runsTable(runs, ctx.io.isTTY)
              : 'No runs match.\n',
        );
      } finally {
        await app.close();
      }
    });
}
