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
export {
  type AttachedWebhooks,
  attachWebhooks,
  RENEW_WEBHOOKS_JOB,
  renewWebhooksEnv,
  startWebhookProcessor,
  type WebhookRenewalSetup,
  webhookRenewal,
} from './attach.js';
export { type WebhookRenewalStatus, WebhookRenewalLedger } from './renewal-ledger.js';
export {
  type RenewalOutcome,
  type RenewalTarget,
  SubscriptionRenewal,
  type SubscriptionRenewalOptions,
} from './subscription-renewal.js';
