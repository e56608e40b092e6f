export {
  createWebhookHandler,
  type EnabledWebhook,
  enabledWebhooks,
  HOOKS_PATH,
  type WebhookEndpointOptions,
} from './webhook-endpoint.js';
export {
  WebhookProcessor,
  type WebhookProcessorOptions,
  type WebhookTarget,
} from './webhook-processor.js';
export { type WebhookClaim, WebhookEventStore, type WebhookStoreOptions } from './webhook-store.js';
export { type AttachedWebhooks, attachWebhooks } from './attach.js';
