import type { Command } from 'commander';
import type { ApiServer } from '../../api/server.js';
import type { Crmsync } from '../../app.js';
import type { SchedulerHealth } from '../../runtime/api-runtime.js';
import type { RunEventBridge } from '../../scheduler/run-event-bridge.js';
import type { ScheduleService } from '../../schedules/schedule-service.js';
import type { CliContext } from '../context.js';
import type { AttachedWebhooks } from '../../hooks/index.js';

export interface ServeFlags {
  host?: string;
  port?: string;
}

export interface Served {
  app: Crmsync;
  api: ApiServer;
  /** Stops the API, then what `attach` started, then closes crmsync. */
  stop(): Promise<void>;
}

/** What runs beside the API in the same process (the scheduler). */
export interface Attached {
  schedulerHealth?: () => Promise<SchedulerHealth>;
  schedules?: ScheduleService;
  stop(): Promise<void>;
}

/**
 * Opens crmsync and serves the GraphQL API (HTTP + graphql-ws on /graphql) with the dashboard
 * on the same port. Host and port: the flags, then CRMSYNC_HOST / CRMSYNC_PORT, then
 * 127.0.0.1:4000; CRMSYNC_API_TOKEN protects both.
 */
export async function serve(
  ctx: CliContext,
  command: Command,
  flags: ServeFlags,
  attach: (app: Crmsync) => Promise<Attached> = async () => ({ stop: async () => {} }),
): Promise<Served> {
  // Loaded here, not at the top: `crmsync --help` and every other command start without them.
  const [
    { apiRuntimeFromApp },
    { resolveListenAddress, startApiServer },
    { createDashboardHandler, findDashboardDir },
    { openRunEventBridge, resolveEventsTarget },
    { eventBusProbe },
    { attachWebhooks },
  ] = await Promise.all([
    import('../../api/app-runtime.js'),
    import('../../api/server.js'),
    import('../../dashboard/index.js'),
    import('../../scheduler/run-event-bridge.js'),
    import('../../events/event-bus-probe.js'),
    import('../../hooks/index.js'),
  ]);
  const env = ctx.env as NodeJS.ProcessEnv;
  const { host, port } = resolveListenAddress({
    env,
    ...(flags.host && { host: flags.host }),
    ...(flags.port !== undefined && { port: flags.port === '' ? Number.NaN : Number(flags.port) }),
  });
  const app = await ctx.open(command);
  let attached: Attached | undefined;
  let api: ApiServer;
  const apiToken = ctx.env.CRMSYNC_API_TOKEN || null;
  const dashboardDir = await findDashboardDir();
  // With workers in other processes (PostgreSQL, or CRMSYNC_EVENTS_URL), their runs' events
  // reach this server's subscribers through the bridge; otherwise events stay in-process.
  let bridge: RunEventBridge | undefined;
  let hooks: AttachedWebhooks | null = null;
  try {
    const events = resolveEventsTarget(ctx.env, app.store.target.url);
    const eventBus = events ? eventBusProbe(events) : undefined;
    if (events) {
      const channel = ctx.env.CRMSYNC_EVENTS_CHANNEL;
      bridge = await openRunEventBridge(events, channel ? { channel } : {});
    }
    attached = await attach(app);
    hooks = attachWebhooks(app, env);
    const failures = hooks?.verificationFailures;
    const runtime = {
      ...apiRuntimeFromApp(
        app,
        attached.schedulerHealth ? { schedulerHealth: attached.schedulerHealth } : {},
      ),
      ...(hooks &&
        failures && {
          webhookEndpoint: {
            crms: hooks.enabled.map((e) => e.crm),
            verificationFailures: (crm: string) => failures.of(crm),
          },
        }),
    };
    api = await startApiServer({
      runtime,
      ...(hooks && { webhooks: hooks.handler }),
      env,
      apiToken,
      host,
      port,
      ...(attached.schedules && { schedules: attached.schedules }),
      ...(bridge && { eventTarget: bridge.eventTarget }),
      ...(eventBus && { eventBus }),
      extraHandler: createDashboardHandler({ runtime, dashboardDir, apiToken }),
    });
  } catch (error) {
    await hooks?.stop();
    await attached?.stop();
    await bridge?.close();
    await app.close();
    throw error;
  }
  const base = api.url.replace(/\/graphql$/, '');
  ctx.io.out(`  GraphQL API: ${api.url} (subscriptions: ${api.wsUrl})\n`);
  ctx.io.out(
    dashboardDir
      ? `  dashboard:   ${base}/\n`
      : '  dashboard:   not built (pnpm --filter @crmsync/ui build)\n',
  );
  if (apiToken) ctx.io.out('  API token required (CRMSYNC_API_TOKEN)\n');
  if (bridge) ctx.io.out(`  live events from workers over ${bridge.kind}\n`);
  for (const hook of hooks?.enabled ?? []) ctx.io.out(`  webhooks:    ${base}/hooks/${hook.crm}\n`);
  return {
    app,
    api,
    async stop() {
      await api.close();
      await hooks?.stop();
      await attached?.stop();
      await bridge?.close();
      await app.close();
    },
  };
}

/** Resolves on SIGINT or SIGTERM. */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/**
 * `crmsync server`: the API and the dashboard; scheduled syncs and the webhook events its
 * endpoint stores run on `crmsync worker`s (`crmsync start` does both in one process).
 */
export function registerServer(program: Command, ctx: CliContext) {
  program
    .command('server')
    .description('serve the GraphQL API and the dashboard')
    .option('--host <host>', 'interface to bind (CRMSYNC_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port (CRMSYNC_PORT, default 4000; 0 picks a free one)')
    .action(async (flags: ServeFlags, command: Command) => {
      ctx.io.out('crmsync API server\n');
      const { startScheduler } = await import('../../scheduler/index.js');
      // The scheduler here only keeps Agenda in step with schedule mutations; workers run jobs.
      const served = await serve(ctx, command, flags, async (app) => {
        const scheduler = await startScheduler({
          app,
          env: ctx.env,
          kind: 'server',
          processJobs: false,
        });
        return {
          schedulerHealth: scheduler.health,
          schedules: scheduler.service,
          stop: () => scheduler.stop(),
        };
      });
      await untilStopped();
      ctx.io.out('stopping…\n');
      await served.stop();
    });
}
