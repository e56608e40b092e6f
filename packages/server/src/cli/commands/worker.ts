import { InputError } from '@crmsync/core/errors';
import type { Command } from 'commander';
import type { RunEventBridge } from '../../scheduler/run-event-bridge.js';
import { type CliContext, globalOptions } from '../context.js';
import { renewHooksOption } from './hooks.js';
import { untilStopped } from './server.js';

interface WorkerFlags {
  workerId?: string;
  agendaUrl?: string;
  concurrency?: string;
  perCrm?: string;
  pollMs?: string;
  leaseMs?: string;
  lockMs?: string;
  heartbeatMs?: string;
  reapEveryMs?: string;
  eventsUrl?: string;
  /** `--no-renew-hooks` makes it false. */
  renewHooks?: boolean;
}

function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InputError(flag, 'a whole number of at least 1', value);
  return n;
}

/**
 * `crmsync worker`: runs scheduled syncs and nothing else. Any number of workers may share
 * one PostgreSQL (Agenda's locks keep each job on one of them); each heartbeats, and each
 * finishes as `failed` ("interrupted") the runs of workers that stopped heartbeating.
 * SIGTERM/SIGINT: stop taking jobs, cancel running syncs cleanly, leave no run `running`.
 */
export function registerWorker(program: Command, ctx: CliContext) {
  program
    .command('worker')
    .description('run scheduled syncs (start as many as you like against one PostgreSQL)')
    .option('--worker-id <id>', 'name in health and on job locks (default <hostname>:<pid>)')
    .option('--agenda-url <url>', 'job store (CRMSYNC_AGENDA_URL; default the crmsync database)')
    .option('--concurrency <n>', 'syncs at once in this worker (default 4)')
    .option('--per-crm <n>', 'syncs of one CRM at once in this worker (default 1)')
    .option('--poll-ms <ms>', 'how often to look for due jobs without notifications (default 5000)')
    .option('--lease-ms <ms>', 'a run silent this long is taken for dead (default 60000)')
    .option(
      '--lock-ms <ms>',
      'a job lock not renewed this long is free for another worker (default 120000; keep it above --lease-ms)',
    )
    .option('--heartbeat-ms <ms>', 'how often this worker reports itself alive (default 10000)')
    .option('--reap-every-ms <ms>', 'how often to finish runs of dead workers (default 30000)')
    .option(
      '--events-url <url>',
      'live run events for the API: redis://… or postgres://… (CRMSYNC_EVENTS_URL; default the database when PostgreSQL)',
    )
    .addOption(renewHooksOption())
    .action(async (flags: WorkerFlags, command: Command) => {
      const g = globalOptions(command);
      const leaseMs = positive('--lease-ms', flags.leaseMs);
      const lockLifetimeMs = positive('--lock-ms', flags.lockMs);
      const maxConcurrency = positive('--concurrency', flags.concurrency);
      const perCrmConcurrency = positive('--per-crm', flags.perCrm);
      const processEveryMs = positive('--poll-ms', flags.pollMs);
      const heartbeatMs = positive('--heartbeat-ms', flags.heartbeatMs);
      const reapEveryMs = positive('--reap-every-ms', flags.reapEveryMs);
      const [
        { createCrmsync },
        { redact },
        { startScheduler },
        { openRunEventBridge, resolveEventsTarget, useEventBridge },
        { startWebhookProcessor, webhookRenewal },
      ] = await Promise.all([
        import('../../app.js'),
        import('../../store/index.js'),
        import('../../scheduler/index.js'),
        import('../../scheduler/run-event-bridge.js'),
        import('../../hooks/index.js'),
      ]);
      const app = await createCrmsync({
        env: ctx.env,
        ...(g.cwd && { cwd: g.cwd }),
        ...(g.database && { database: g.database }),
        ...(g.config && { config: g.config }),
        ...(flags.workerId && { workerId: flags.workerId }),
        ...(leaseMs && { leaseMs }),
      });
      for (const problem of app.problems) ctx.io.err(`warning: ${problem.message}\n`);
      let bridge: RunEventBridge | undefined;
      try {
        const stopped = untilStopped();
        const events = resolveEventsTarget(
          { ...ctx.env, ...(flags.eventsUrl && { CRMSYNC_EVENTS_URL: flags.eventsUrl }) },
          app.store.target.url,
        );
        if (events) {
          const channel = ctx.env.CRMSYNC_EVENTS_CHANNEL;
          bridge = await openRunEventBridge(events, channel ? { channel } : {});
        }
        const renewal = webhookRenewal(app, ctx.env, { enabled: flags.renewHooks !== false });
        for (const warning of renewal?.warnings ?? []) ctx.io.err(`warning: ${warning}\n`);
        const scheduler = await startScheduler({
          app,
          env: ctx.env,
          kind: 'worker',
          ...(flags.workerId && { workerId: flags.workerId }),
          ...(flags.agendaUrl && { agendaUrl: flags.agendaUrl }),
          ...(maxConcurrency && { maxConcurrency }),
          ...(perCrmConcurrency && { perCrmConcurrency }),
          ...(processEveryMs && { processEveryMs }),
          ...(lockLifetimeMs && { lockLifetimeMs }),
          ...(heartbeatMs && { heartbeatMs }),
          ...(reapEveryMs && { reapEveryMs }),
          ...(bridge && { hooks: [useEventBridge(bridge)] }),
          ...(renewal?.job && { jobs: [renewal.job] }),
        });
        // Webhook events stored by any `crmsync server` are turned into runs here too.
        const hooks = startWebhookProcessor(app, ctx.env, { workerId: scheduler.workerId });
        const agendaUrl = flags.agendaUrl ?? ctx.env.CRMSYNC_AGENDA_URL;
        ctx.io.out(
          `crmsync worker ${scheduler.workerId} taking jobs${agendaUrl ? ` from ${redact(agendaUrl)}` : ''}${hooks ? ' and webhook events' : ''}${renewal?.job ? `; renewing ${renewal.crms.join(', ')} webhook subscriptions` : ''}${bridge ? `; live events over ${bridge.kind}` : ''}\n`,
        );
        await stopped;
        ctx.io.out('stopping: no new jobs; cancelling running syncs…\n');
        await hooks?.stop();
        await scheduler.stop();
        ctx.io.out('worker stopped\n');
      } finally {
        await bridge?.close();
        await app.close();
      }
    });
}
