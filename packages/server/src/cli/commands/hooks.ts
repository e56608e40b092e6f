import type { WebhookSubscription, WebhookSubscriptions } from '@crmsync/core';
import { CrmsyncError, InputError } from '@crmsync/core/errors';
import { type Command, Option } from 'commander';
import type { Crmsync, InstalledPlugin } from '../../app.js';
import { isHookEndpoint } from '../../hooks/endpoint-path.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { table } from '../output.js';

interface HooksOptions {
  json?: boolean;
}

/** A subscription as `hooks list --json` (and the other subcommands' `--json`) print it. */
function subscriptionJson(crm: string, s: WebhookSubscription) {
  return {
    crm,
    id: s.id,
    url: s.url,
    entity: s.entity,
    events: s.events,
    active: s.active,
    expiresAt: s.expiresAt ? s.expiresAt.toISOString() : null,
  };
}

function print(
  ctx: CliContext,
  rows: Array<{ crm: string; subs: WebhookSubscription[] }>,
  json: boolean | undefined,
) {
  const flat = rows.flatMap((r) => r.subs.map((s) => subscriptionJson(r.crm, s)));
  if (json) {
    ctx.io.out(`${JSON.stringify(flat, null, 2)}\n`);
    return;
  }
  if (flat.length === 0) {
    ctx.io.out('No webhook subscriptions.\n');
    return;
  }
  ctx.io.out(
    table(
      ['crm', 'id', 'entity', 'events', 'active', 'expires', 'url'],
      flat.map((s) => [
        s.crm,
        s.id,
        s.entity,
        s.events.join(' '),
        s.active ? 'yes' : 'no',
        s.expiresAt ? s.expiresAt.replace('T', ' ').slice(0, 19) : 'never',
        s.url,
      ]),
      ctx.io.isTTY,
    ),
  );
}

/**
 * The installed, configured plugin `crm` and its subscriptions capability; without one, says
 * why (CallRail: set up in its UI) and sets exit 2.
 */
function subscriptionsOf(
  app: Crmsync,
  ctx: CliContext,
  crm: string,
): { installed: InstalledPlugin; subs: WebhookSubscriptions } | undefined {
  const installed = app.plugin(crm); // an unknown CRM: InputError, exit 2
  const webhooks = installed.plugin.webhooks;
  if (!webhooks?.subscriptions) {
    ctx.io.err(
      webhooks?.manualSetup
        ? `${crm}: webhook subscriptions cannot be managed from crmsync. ${webhooks.manualSetup}\n`
        : `${crm}: crmsync cannot manage its webhook subscriptions (the plugin has no subscriptions API${webhooks ? '' : ', nor webhooks'})\n`,
    );
    ctx.setExitCode(EXIT.usage);
    return undefined;
  }
  if (!installed.configured)
    throw new InputError(
      crm,
      `a configured CRM (set ${installed.resolved.missing.join(', ') || 'its settings'})`,
    );
  return { installed, subs: webhooks.subscriptions };
}

function secretOf(ctx: CliContext, installed: InstalledPlugin): string {
  const env = installed.plugin.webhooks?.secretEnv as string;
  const secret = ctx.env[env];
  if (!secret)
    throw new InputError(
      env,
      `the webhook secret the CRM is to use (set ${env}: without it the /hooks/${installed.plugin.name} endpoint is off)`,
    );
  return secret;
}

/** Opens the plugin's client, runs `use`, closes it. */
async function withClient<T>(
  app: Crmsync,
  installed: InstalledPlugin,
  use: (client: unknown, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const signal = new AbortController().signal;
  const { withPluginClient } = await import('../../hooks/plugin-client.js');
  return withPluginClient(
    installed,
    app.logger.child(`crmsync:plugin:${installed.plugin.name}:hooks`),
    signal,
    (client) => use(client, signal),
  );
}

/**
 * The URL the vendor is to post to: `--url` (else `CRMSYNC_PUBLIC_URL`), with `/hooks/<crm>`
 * appended unless the URL already names that endpoint.
 */
export function hookUrl(given: string | undefined, crm: string, env: CliContext['env']): string {
  const raw = given ?? env.CRMSYNC_PUBLIC_URL;
  if (!raw)
    throw new InputError(
      '--url',
      'the public URL of this crmsync server (https://sync.example.com), or set CRMSYNC_PUBLIC_URL',
    );
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError('--url', 'an absolute http(s) URL', raw);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InputError('--url', 'an absolute http(s) URL', raw);
  if (!isHookEndpoint(crm, url.pathname))
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/hooks/${crm}`;
  return url.toString();
}

function ttlOf(hours: string | undefined): number | undefined {
  if (hours === undefined) return undefined;
  const n = Number(hours);
  if (!Number.isFinite(n) || n <= 0)
    throw new InputError('--ttl-hours', 'a positive number of hours', hours);
  return n * 3_600_000;
}

/** `--no-renew-hooks` of the processes that renew expiring subscriptions (`worker`, `start`). */
export const renewHooksOption = () =>
  new Option(
    '--no-renew-hooks',
    'do not renew expiring webhook subscriptions (Zoho channels) in this process (CRMSYNC_RENEW_WEBHOOKS=false)',
  );

export function registerHooks(program: Command, ctx: CliContext) {
  const hooks = program
    .command('hooks')
    .description(
      "manage the CRMs' webhook subscriptions that point at this server's /hooks/<crm> endpoint",
    );

  hooks
    .command('enable <crm>')
    .description(
      'subscribe the CRM to post changes to <url>/hooks/<crm> (Pipedrive webhooks, Zoho notification channels, HubSpot app subscriptions)',
    )
    .option('--url <url>', 'public URL of this server (default CRMSYNC_PUBLIC_URL)')
    .option('--entity <names...>', 'only these entities (default: all the webhooks report)')
    .option('--ttl-hours <hours>', 'lifetime where the CRM expires subscriptions (Zoho: ≤ 168)')
    .option('--json', 'print the subscriptions as JSON')
    .action(
      async (
        crm: string,
        opts: HooksOptions & { url?: string; entity?: string[]; ttlHours?: string },
        command: Command,
      ) => {
        const app = await ctx.open(command);
        try {
          const found = subscriptionsOf(app, ctx, crm);
          if (!found) return;
          const url = hookUrl(opts.url, crm, ctx.env);
          const secret = secretOf(ctx, found.installed);
          const ttlMs = ttlOf(opts.ttlHours);
          const subs = await withClient(app, found.installed, (client, signal) =>
            found.subs.enable(client, {
              url,
              secret,
              signal,
              ...(opts.entity?.length && { entities: opts.entity }),
              ...(ttlMs !== undefined && { ttlMs }),
            }),
          );
          if (!opts.json) ctx.io.out(`${crm}: ${subs.length} subscription(s) post to ${url}\n`);
          print(ctx, [{ crm, subs }], opts.json);
        } finally {
          await app.close();
        }
      },
    );

  hooks
    .command('list [crm]')
    .description('the webhook subscriptions at each CRM (or one) that crmsync can manage')
    .option(
      '--json',
      'print as JSON: an array of {crm, id, url, entity, events, active, expiresAt}',
    )
    .action(async (crm: string | undefined, opts: HooksOptions, command: Command) => {
      const app = await ctx.open(command);
      try {
        const targets = crm
          ? [crm]
          : app.plugins
              .filter((p) => p.configured && p.plugin.webhooks?.subscriptions)
              .map((p) => p.plugin.name);
        const rows: Array<{ crm: string; subs: WebhookSubscription[] }> = [];
        for (const name of targets) {
          const found = subscriptionsOf(app, ctx, name);
          if (!found) return;
          try {
            rows.push({
              crm: name,
              subs: await withClient(app, found.installed, (client, signal) =>
                found.subs.list(client, signal),
              ),
            });
          } catch (error) {
            // Listing every CRM: one not set up for it (HubSpot without its app) is a warning.
            if (crm || !(error instanceof CrmsyncError && error.kind === 'config')) throw error;
            ctx.io.err(`warning: ${name}: ${error.message}\n`);
          }
        }
        print(ctx, rows, opts.json);
      } finally {
        await app.close();
      }
    });

  hooks
    .command('disable <crm>')
    .description("remove the CRM's subscriptions: these --id, else every one crmsync made")
    .option('--id <ids...>', 'subscription ids (as hooks list shows them)')
    .option('--json', 'print the removed ids as JSON')
    .action(async (crm: string, opts: HooksOptions & { id?: string[] }, command: Command) => {
      const app = await ctx.open(command);
      try {
        const found = subscriptionsOf(app, ctx, crm);
        if (!found) return;
        const removed = await withClient(app, found.installed, (client, signal) =>
          found.subs.disable(client, opts.id ?? [], signal),
        );
        if (opts.json) ctx.io.out(`${JSON.stringify(removed.map((id) => ({ crm, id })))}\n`);
        else
          ctx.io.out(
            `${crm}: removed ${removed.length} subscription(s)${removed.length ? ` (${removed.join(', ')})` : ''}\n`,
          );
      } finally {
        await app.close();
      }
    });

  hooks
    .command('renew <crm>')
    .description(
      "extend the CRM's expiring subscriptions (Zoho channels last at most a week: run daily, e.g. from cron)",
    )
    .option('--ttl-hours <hours>', 'new lifetime (default: the most the CRM allows)')
    .option('--json', 'print the renewed subscriptions as JSON')
    .action(async (crm: string, opts: HooksOptions & { ttlHours?: string }, command: Command) => {
      const app = await ctx.open(command);
      try {
        const found = subscriptionsOf(app, ctx, crm);
        if (!found) return;
        const renew = found.subs.renew;
        if (!renew) {
          ctx.io.err(`${crm}: its webhook subscriptions do not expire; nothing to renew\n`);
          ctx.setExitCode(EXIT.usage);
          return;
        }
        const secret = secretOf(ctx, found.installed);
        const ttlMs = ttlOf(opts.ttlHours);
        const subs = await withClient(app, found.installed, (client, signal) =>
          renew(client, { secret, signal, ...(ttlMs !== undefined && { ttlMs }) }),
        );
        if (!opts.json) ctx.io.out(`${crm}: renewed ${subs.length} subscription(s)\n`);
        print(ctx, [{ crm, subs }], opts.json);
      } finally {
        await app.close();
      }
    });
}
