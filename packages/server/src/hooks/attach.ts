import { createLogger, defaultWorkerId } from '@crmsync/core';
import type { Crmsync } from '../app.js';
import { createWebhookHandler, type EnabledWebhook, enabledWebhooks } from './webhook-endpoint.js';
import { WebhookProcessor, type WebhookTarget } from './webhook-processor.js';
import { WebhookEventStore } from './webhook-store.js';

export interface AttachedWebhooks {
  enabled: EnabledWebhook[];
  handler: ReturnType<typeof createWebhookHandler>;
  processor: WebhookProcessor;
  stop(): Promise<void>;
}

/**
 * The webhook endpoint and its worker for the CRMs whose `<CRM>_WEBHOOK_SECRET` is set, or
 * null when none is (the endpoint stays off). `CRMSYNC_PUBLIC_URL` is the origin the vendors
 * call (signatures cover it); `CRMSYNC_WEBHOOK_DEBOUNCE_MS` the coalescing window (500).
 */
export function attachWebhooks(
  app: Pick<Crmsync, 'plugins' | 'store' | 'engine'>,
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
  const store = new WebhookEventStore(app.store.prisma);
  const targets = new Map<string, WebhookTarget>(
    configured.map((p) => [p.plugin.name, { plugin: p.plugin, config: p.config }]),
  );
  const debounce = Number(env.CRMSYNC_WEBHOOK_DEBOUNCE_MS ?? 500);
  const processor = new WebhookProcessor({
    store,
    engine: app.engine,
    targets,
    workerId: defaultWorkerId(),
    debounceMs: Number.isFinite(debounce) && debounce >= 0 ? debounce : 500,
    logger,
  });
  const handler = createWebhookHandler({
    enabled,
    store,
    logger,
    ...(env.CRMSYNC_PUBLIC_URL && { publicUrl: env.CRMSYNC_PUBLIC_URL }),
  });
  processor.start();
  return { enabled, handler, processor, stop: () => processor.stop() };
}
