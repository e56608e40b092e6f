import { WebhookRenewalLedger, type WebhookRenewalStatus } from '../../hooks/renewal-ledger.js';
import { WebhookEventStore, type WebhookEventStatus } from '../../hooks/webhook-store.js';
import type { ApiPlugin } from '../../runtime/api-runtime.js';
import type { ApiContext } from '../request-context.js';
import { builder } from './builder.js';
import { CrmRef } from './crms.js';

interface WebhookStatusParent {
  crm: string;
  secretEnv: string;
  events: WebhookEventStatus;
  since: Date;
  endpointOn: boolean;
  verification: { count: number; lastAt: Date | null; lastReason: string | null } | null;
  /** What the workers' automatic renewal last recorded; null when none has. */
  renewal: WebhookRenewalStatus | null;
}

/** Midnight UTC of `now`'s day: where "today" starts. */
export function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

async function webhookStatus(p: ApiPlugin, ctx: ApiContext): Promise<WebhookStatusParent | null> {
  const capability = p.plugin.webhooks;
  if (!capability) return null;
  const crm = p.plugin.name;
  const since = startOfUtcDay(new Date());
  const endpoint = ctx.runtime.webhookEndpoint;
  const endpointOn = endpoint?.crms.includes(crm) ?? false;
  return {
    crm,
    secretEnv: capability.secretEnv,
    since,
    events: await new WebhookEventStore(ctx.runtime.prisma).status(crm, since),
    endpointOn,
    verification: endpointOn && endpoint ? endpoint.verificationFailures(crm) : null,
    renewal: capability.subscriptions?.renew
      ? await new WebhookRenewalLedger(ctx.runtime.prisma).read(crm)
      : null,
  };
}

const WebhookStatusRef = builder.objectRef<WebhookStatusParent>('WebhookStatus').implement({
  description:
    'A CRM’s webhooks: the endpoint, the events received and processed, and the runs they triggered. “Today” is since midnight UTC.',
  fields: (t) => ({
    endpoint: t.string({
      nullable: true,
      description:
        'The path vendors POST to, when this server’s endpoint is on (its secret env var is set).',
      resolve: (s) => (s.endpointOn ? `/hooks/${s.crm}` : null),
    }),
    secretEnv: t.string({
      description: 'The env var whose value turns the endpoint on (the value is never shown).',
      resolve: (s) => s.secretEnv,
    }),
    lastEventAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the newest stored event arrived.',
      resolve: (s) => s.events.lastEventAt,
    }),
    eventsToday: t.int({
      description: 'Events stored today (duplicates dropped).',
      resolve: (s) => s.events.received,
    }),
    pendingEvents: t.int({
      description: 'Events not yet processed (waiting for the debounce, a worker or a retry).',
      resolve: (s) => s.events.pending,
    }),
    retryingEvents: t.int({
      description: 'Pending events whose run failed at least once.',
      resolve: (s) => s.events.retrying,
    }),
    processingFailuresToday: t.int({
      description: 'Events given up on today after their retries.',
      resolve: (s) => s.events.failed,
    }),
    lastProcessingError: t.string({
      nullable: true,
      description: 'The newest error of a retrying or given-up event.',
      resolve: (s) => s.events.lastError,
    }),
    verificationFailures: t.int({
      nullable: true,
      description:
        'Deliveries this server refused (401) since it started; null when its endpoint is off.',
      resolve: (s) => s.verification?.count ?? null,
    }),
    lastVerificationFailureAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (s) => s.verification?.lastAt ?? null,
    }),
    lastVerificationFailureReason: t.string({
      nullable: true,
      description: 'bad-signature, stale-timestamp, … (never the body).',
      resolve: (s) => s.verification?.lastReason ?? null,
    }),
    subscriptionsExpireAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When the first of crmsync’s subscriptions at the CRM expires (Zoho channels), as the workers last saw it; null where they do not expire or no worker has looked.',
      resolve: (s) => s.renewal?.expiresAt ?? null,
    }),
    subscriptionsCheckedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When a worker (`crmsync worker`, `crmsync start`) last looked for subscriptions to renew.',
      resolve: (s) => s.renewal?.checkedAt ?? null,
    }),
    lastRenewalAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When a worker last renewed the expiring subscriptions.',
      resolve: (s) => s.renewal?.renewedAt ?? null,
    }),
    renewalError: t.string({
      nullable: true,
      description:
        'Why the workers’ last renewal failed (the subscriptions lapse at `subscriptionsExpireAt` unless one succeeds); null once one does.',
      resolve: (s) => s.renewal?.error ?? null,
    }),
    runs: t.prismaField({
      type: ['SyncHistory'],
      description:
        'The newest runs webhooks triggered (trigger `webhook`; default 10, at most 100).',
      args: { limit: t.arg.int({ required: false, defaultValue: 10 }) },
      resolve: (query, s, args, ctx) =>
        ctx.runtime.prisma.syncHistory.findMany({
          ...query,
          where: { crmSource: s.crm, trigger: 'webhook' },
          orderBy: { id: 'desc' },
          take: Math.min(Math.max(args.limit ?? 10, 1), 100),
        }),
    }),
  }),
});

builder.objectField(CrmRef, 'webhooks', (t) =>
  t.field({
    type: WebhookStatusRef,
    nullable: true,
    description: 'Webhook status; null when the plugin has no webhooks.',
    resolve: (p, _args, ctx) => webhookStatus(p, ctx),
  }),
);
