import type { Command } from 'commander';
import { renewHooksOption } from './hooks.js';
import type { CliContext } from '../context.js';
import { type ServeFlags, serve, untilStopped } from './server.js';

/**
 * `crmsync start`: everything in one process — the API, the dashboard and the scheduler running
 * scheduled syncs. On a fresh install with a demo plugin (`demo: true`, e.g. the faker), syncs
 * it once so the dashboard has data and schedules `<demo> all` every 2 minutes so scheduled runs
 * arrive on their own.
 */
export function registerStart(program: Command, ctx: CliContext) {
  program
    .command('start')
    .description('serve the API and the dashboard and run scheduled syncs, in one process')
    .option('--host <host>', 'interface to bind (CRMSYNC_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port (CRMSYNC_PORT, default 4000; 0 picks a free one)')
    .addOption(renewHooksOption())
    .action(async (flags: ServeFlags & { renewHooks?: boolean }, command: Command) => {
      ctx.io.out('crmsync started\n');
      const [
        { demoPlugin, ensureDemoSchedule, startScheduler },
        { startWebhookProcessor, webhookRenewal },
      ] = await Promise.all([import('../../scheduler/index.js'), import('../../hooks/index.js')]);
      const { app, stop } = await serve(ctx, command, flags, async (opened) => {
        const renewal = webhookRenewal(opened, ctx.env, { enabled: flags.renewHooks !== false });
        for (const warning of renewal?.warnings ?? []) ctx.io.err(`warning: ${warning}\n`);
        if (renewal?.job)
          ctx.io.out(
            `  webhooks:    renewing ${renewal.crms.join(', ')} subscriptions before they expire\n`,
          );
        const scheduler = await startScheduler({
          app: opened,
          env: ctx.env,
          kind: 'start',
          ...(renewal?.job && { jobs: [renewal.job] }),
        });
        const scheduled = await ensureDemoSchedule(opened, scheduler);
        if (scheduled)
          ctx.io.out(
            `  first start: scheduled ${scheduled.crmSource} all every 2 minutes (crmsync schedule list)\n`,
          );
        const hooks = startWebhookProcessor(opened, ctx.env, { workerId: scheduler.workerId });
        return {
          schedulerHealth: scheduler.health,
          schedules: scheduler.service,
          stop: async () => {
            await hooks?.stop();
            await scheduler.stop();
          },
        };
      });
      const demo = demoPlugin(app);
      const stopDemo = new AbortController();
      let demoSync: Promise<unknown> = Promise.resolve();
      if (demo && (await app.history({ limit: 1 })).length === 0) {
        ctx.io.out(`  first start: syncing the ${demo} demo CRM\n`);
        demoSync = app
          .sync(demo, 'all', {}, { trigger: 'api', signal: stopDemo.signal })
          .catch((e: unknown) => ctx.io.err(`demo sync failed: ${(e as Error).message}\n`));
      }
      await untilStopped();
      ctx.io.out('stopping…\n');
      stopDemo.abort(new Error('crmsync is shutting down'));
      await demoSync;
      await stop();
    });
}
