import { createLogger, defaultWorkerId } from '@crmsync/core';
import type { Crmsync } from '../app.js';
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
