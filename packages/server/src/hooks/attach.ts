import { createLogger, defaultWorkerId, type Logger } from '@crmsync/core';
import type { Crmsync } from '../app.js';
import type { RepeatingJob } from '../scheduler/repeating-job.js';
import { WebhookRenewalLedger } from './renewal-ledger.js';
import {
  DEFAULT_RENEWAL_MARGIN_MS,
  type RenewalTarget,
  SubscriptionRenewal,
} from './subscription-renewal.js';
import {
  createWebhookHandler,
  type EnabledWebhook,
  enabledWebhooks,
  VerificationFailures,
} from './webhook-endpoint.js';
import { WebhookProcessor, type WebhookTarget } from './webhook-processor.js';
import { WebhookEventStore } from './webhook-store.js';

export interface AttachedWebhooks {
  enabled: EnabledWebhook[];
  handler: ReturnType<typeof createWebhookHandler>;
  /** Deliveries this endpoint refused (401), per CRM. */
  verificationFailures: VerificationFailures;
  stop(): Promise<void>;
}

/**
 * The webhook endpoint for the CRMs whose `<CRM>_WEBHOOK_SECRET` is set, or null when none is
 * (the endpoint stays off). `CRMSYNC_PUBLIC_URL` is the origin the vendors call (signatures
 * cover it). The endpoint only stores events; `startWebhookProcessor` (in `crmsync worker`
 * and `crmsync start`) turns them into runs.
 */
export function attachWebhooks(
  app: Pick<Crmsync, 'plugins' | 'store'>,
  env: NodeJS.ProcessEnv,
): AttachedWebhooks | null {
  const configured = app.plugins.filter((p) => p.configured);
  const enabled = enabledWebhooks(
    configured.map((p) => p.plugin),
    env,
  );
  if (enabled.length === 0) return null;
  const logger = createLogger('crmsync:hooks', {
    level: 'warn',
    secrets: enabled.map((e) => e.secret),
  });
  const verificationFailures = new VerificationFailures();
  const handler = createWebhookHandler({
    enabled,
    store: new WebhookEventStore(app.store.prisma),
    logger,
    verificationFailures,
    ...(env.CRMSYNC_PUBLIC_URL && { publicUrl: env.CRMSYNC_PUBLIC_URL }),
  });
  return { enabled, handler, verificationFailures, stop: async () => {} };
}

function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${name}: expected a whole number of at least ${min}, got ${raw}`);
  return n;
}

/**
 * Processes the stored webhook events of the configured CRMs that have webhooks, in this
 * process (any number of processes may: claims are leased in the database), or returns null
 * when no configured CRM has them. A leased poller rather than an Agenda job: Agenda's process
 * interval (5 s) would add seconds to the 500 ms debounce (docs/DECISIONS.md).
 * `CRMSYNC_WEBHOOK_DEBOUNCE_MS` is the quiet time that ends a burst (500),
 * `CRMSYNC_WEBHOOK_MAX_WAIT_MS` the longest an event waits for its burst to end (5000),
 * `CRMSYNC_WEBHOOK_POLL_MS` how often an idle processor looks (100), `CRMSYNC_WEBHOOK_LEASE_MS` how long a claim of a
 * silent process holds (60000; a killed process on this host is noticed at once).
 */
export function startWebhookProcessor(
  app: Pick<Crmsync, 'plugins' | 'store' | 'engine' | 'secrets'>,
  env: NodeJS.ProcessEnv,
  options: { workerId?: string } = {},
): WebhookProcessor | null {
  const targets = new Map<string, WebhookTarget>(
    app.plugins
      .filter((p) => p.configured && p.plugin.webhooks)
      .map((p) => [p.plugin.name, { plugin: p.plugin, config: p.config }]),
  );
  if (targets.size === 0) return null;
  const processor = new WebhookProcessor({
    store: new WebhookEventStore(app.store.prisma, {
      leaseMs: envNumber(env, 'CRMSYNC_WEBHOOK_LEASE_MS', 60_000, 1_000),
      maxWaitMs: envNumber(env, 'CRMSYNC_WEBHOOK_MAX_WAIT_MS', 5_000, 0),
    }),
    engine: app.engine,
    targets,
    workerId: options.workerId ?? defaultWorkerId(),
    debounceMs: envNumber(env, 'CRMSYNC_WEBHOOK_DEBOUNCE_MS', 500, 0),
    pollMs: envNumber(env, 'CRMSYNC_WEBHOOK_POLL_MS', 100, 10),
    logger: createLogger('crmsync:hooks', {
      level: 'warn',
      secrets: app.secrets(),
    }),
  });
  processor.start();
  return processor;
}

/** The Agenda job that renews expiring webhook subscriptions (see `webhookRenewal`). */
export const RENEW_WEBHOOKS_JOB = 'crmsync:renew-webhooks';

export interface WebhookRenewalSetup {
  /** For `startScheduler({ jobs })`; null when no CRM can be renewed here. */
  job: RepeatingJob | null;
  /** The CRMs it renews. */
  crms: string[];
  /** CRMs whose subscriptions expire but whose webhook secret is not set here (not renewed), as warnings. */
  warnings: string[];
}

/** `CRMSYNC_RENEW_WEBHOOKS`: on unless `false` (or `0`, `no`, `off`). */
export function renewWebhooksEnv(env: NodeJS.ProcessEnv): boolean {
  const raw = (env.CRMSYNC_RENEW_WEBHOOKS ?? '').trim().toLowerCase();
  if (['', 'true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new Error(
    `CRMSYNC_RENEW_WEBHOOKS: expected true or false, got ${env.CRMSYNC_RENEW_WEBHOOKS}`,
  );
}

/**
 * Automatic renewal of the webhook subscriptions that expire (Zoho's channels, a week at
 * most), for `crmsync worker` and `crmsync start`: a repeating Agenda job, run by one worker
 * at a time, renews those of each configured CRM whose plugin can `renew` and whose webhook
 * secret (`<CRM>_WEBHOOK_SECRET`, as `crmsync hooks renew` uses) is set; outcomes are logged
 * and recorded for `Crm.webhooks`. Null when turned off (`enabled: false`, from
 * `--no-renew-hooks`, or `CRMSYNC_RENEW_WEBHOOKS=false`) or no configured CRM has expiring
 * subscriptions. `CRMSYNC_WEBHOOK_RENEW_EVERY_MS` is how often it looks (3600000, an hour),
 * `CRMSYNC_WEBHOOK_RENEW_MARGIN_MS` how close to expiry a subscription is renewed (86400000).
 */
export function webhookRenewal(
  app: Pick<Crmsync, 'plugins' | 'store' | 'secrets'>,
  env: NodeJS.ProcessEnv,
  options: { enabled?: boolean; logger?: Logger } = {},
): WebhookRenewalSetup | null {
  if (options.enabled === false || !renewWebhooksEnv(env)) return null;
  const expiring = app.plugins.filter(
    (p) => p.configured && p.plugin.webhooks?.subscriptions?.renew,
  );
  if (expiring.length === 0) return null;
  const targets: RenewalTarget[] = [];
  const warnings: string[] = [];
  for (const p of expiring) {
    const secretEnv = p.plugin.webhooks?.secretEnv as string;
    const secret = env[secretEnv];
    if (secret) targets.push({ plugin: p.plugin, config: p.config, secret });
    else
      warnings.push(`${p.plugin.name}: webhook subscriptions not renewed here: set ${secretEnv}`);
  }
  const everyMs = envNumber(env, 'CRMSYNC_WEBHOOK_RENEW_EVERY_MS', 3_600_000, 100);
  const marginMs = envNumber(env, 'CRMSYNC_WEBHOOK_RENEW_MARGIN_MS', DEFAULT_RENEWAL_MARGIN_MS, 0);
  if (marginMs < 2 * everyMs)
    throw new Error(
      `CRMSYNC_WEBHOOK_RENEW_MARGIN_MS (${marginMs}) must be at least twice CRMSYNC_WEBHOOK_RENEW_EVERY_MS (${everyMs}): a subscription could expire between two looks`,
    );
  if (targets.length === 0) return { job: null, crms: [], warnings };
  const renewal = new SubscriptionRenewal({
    targets,
    ledger: new WebhookRenewalLedger(app.store.prisma),
    marginMs,
    logger:
      options.logger ??
      createLogger('crmsync:hooks:renewal', {
        level: 'info',
        secrets: [...app.secrets(), ...targets.map((t) => t.secret)],
      }),
  });
  return {
    job: {
      name: RENEW_WEBHOOKS_JOB,
      everyMs,
      lockLifetimeMs: 10 * 60_000,
      run: async (signal) => {
        await renewal.run(signal);
      },
    },
    crms: targets.map((t) => t.plugin.name),
    warnings,
  };
}
