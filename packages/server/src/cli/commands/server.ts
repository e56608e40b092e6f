import { InputError } from '@crmsync/core';
import type { Command } from 'commander';
import { createApiRuntime, type SchedulerHealth, startApiServer } from '../../api/index.js';
import type { Crmsync } from '../../app.js';
import { createDashboardHandler, findDashboardDir } from '../../dashboard/index.js';
import type { CliContext } from '../context.js';

export interface ServeOptions {
  host?: string;
  port?: string;
  /** Also run the embedded scheduler (crmsync start). */
  scheduler: boolean;
}

/** The API runtime for an opened crmsync: its store, plugins and engine. */
export function runtimeFor(app: Crmsync, schedulerHealth?: () => Promise<SchedulerHealth>) {
  return createApiRuntime({
    store: app.store,
    plugins: app.plugins.map((p) => ({
      plugin: p.plugin,
      config: p.config,
      configured: p.configured,
    })),
    engine: {
      subscribe: (listener) => app.engine.subscribe(listener),
      run: (launch) =>
        app.sync(launch.crm, launch.entity, launch.options, {
          trigger: 'api',
          signal: launch.signal,
        }),
      parseOptions: (plugin, raw, pluginOptions) =>
        app.parseOptions(plugin.name, raw, pluginOptions),
    },
    ...(schedulerHealth && { schedulerHealth }),
  });
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new InputError('--port', 'an integer from 0 to 65535', value);
  return port;
}

async function serve(ctx: CliContext, command: Command, options: ServeOptions) {
  const app = await ctx.open(command);
  const apiToken = ctx.env.CRMSYNC_API_TOKEN || null;
  const dashboardDir = await findDashboardDir();
  const runtime = runtimeFor(app);
  const port = parsePort(options.port);
  const api = await startApiServer({
    runtime,
    env: ctx.env as NodeJS.ProcessEnv,
    apiToken,
    ...(options.host && { host: options.host }),
    ...(port !== undefined && { port }),
    extraHandler: createDashboardHandler({ runtime, dashboardDir, apiToken }),
  });
  const base = api.url.replace(/\/graphql$/, '');
  ctx.io.out(`crmsync ${options.scheduler ? 'started' : 'API server'} on ${base}\n`);
  ctx.io.out(`  GraphQL API: ${api.url} (subscriptions: ${api.wsUrl})\n`);
  ctx.io.out(
    dashboardDir
      ? `  dashboard:   ${base}/\n`
      : '  dashboard:   not built (pnpm --filter @crmsync/ui build)\n',
  );
  if (apiToken) ctx.io.out('  API token required (CRMSYNC_API_TOKEN)\n');

  if (options.scheduler) {
    // A fresh embedded install has no history: sync the demo CRM once so the dashboard has data.
    const demo = app.plugins.find((p) => p.plugin.name === 'faker' && p.configured);
    if (demo && (await app.history({ limit: 1 })).length === 0) {
      ctx.io.out('  first start: syncing the faker demo CRM\n');
      void app
        .sync('faker', 'all', {}, { trigger: 'api' })
        .catch((e: unknown) => ctx.io.err(`demo sync failed: ${(e as Error).message}\n`));
    }
  }

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  ctx.io.out('stopping…\n');
  await api.close();
  await app.close();
}

export function registerServer(program: Command, ctx: CliContext) {
  for (const [name, scheduler, description] of [
    ['server', false, 'serve the GraphQL API and the dashboard'],
    ['start', true, 'serve the API and the dashboard and run scheduled syncs, in one process'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .option('--host <host>', 'interface to bind (CRMSYNC_HOST, default 127.0.0.1)')
      .option('--port <port>', 'port (CRMSYNC_PORT, default 4000; 0 picks a free one)')
      .action(async (opts: { host?: string; port?: string }, command: Command) =>
        serve(ctx, command, { ...opts, scheduler }),
      );
  }
}
