export { callrailId, generateAccount, isoWithOffset, type CallRailData } from './data.js';
export { dateWindow, retentionStart } from './dates.js';
export {
  type CallRailFakeOptions,
  CallRailFakeServer,
  type CallRailFault,
  type RecordedRequest,
} from './server.js';
export { startCallRailKitFixture } from './kit-fixture.js';
export { sendCallRailWebhook } from './webhooks.js';
