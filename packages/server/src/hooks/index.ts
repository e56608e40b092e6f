export {
  createWebhookHandler,
  type EnabledWebhook,
  enabledWebhooks,
  HOOKS_PATH,
  type VerificationFailureCount,
  VerificationFailures,
  type WebhookEndpointOptions,
} from './webhook-endpoint.js';
export {
  WebhookProcessor,
  type WebhookProcessorOptions,
  type WebhookTarget,
} from './webhook-processor.js';
export {
  claimHolderGone,
  type WebhookClaim,
  WebhookEventStore,
  type WebhookEventStatus,
  type WebhookStoreOptions,
} from './webhook-store.js';
export { type AttachedWebhooks, attachWebhooks, startWebhookProcessor } from './attach.js';
