export { credentialOf, type FakeAuth, isAuthorized } from './auth.js';
export { FakeClock } from './clock.js';
export { kitFault, seededChangeTime } from './kit-fixture.js';
export { mountControl } from './control.js';
export { type FakeFault, FaultQueue } from './faults.js';
export {
  type LimitState,
  type RateLimitRule,
  RateLimits,
  RollingWindow,
} from './rate-limit.js';
export { compareIds, type FakeRecordBase, FakeRecords, type Tombstone } from './records.js';
export { type FakeHandler, FakeRouter, type RouteMatch, type RouteOptions } from './router.js';
export { FakeApi, type FakeApiOptions, type ListenOptions, type LoggedRequest } from './server.js';
export {
  decodeCursor,
  encodeCursor,
  type FakeReply,
  type FakeRequest,
  FakeHttpError,
  formBody,
  jsonBody,
  ok,
  reply,
} from './types.js';
