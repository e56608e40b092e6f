export { MemoryStore } from '../store/memory-store.js';
export { describePluginKit } from './plugin-kit.js';
export type {
  BoundRule,
  EntityKitOptions,
  PluginKitFault,
  PluginKitFixture,
  PluginKitOptions,
  PluginKitScenario,
} from './plugin-kit-types.js';
export { describeEventStoreSuite } from './event-store-suite.js';
export { describeGroupedDeletesSuite } from './grouped-deletes-suite.js';
export { describeLocalChangesSuite } from './local-changes-suite.js';
export { describeRecordStoreSuite } from './record-store-suite.js';
export { describeRunQuerySuite } from './run-query-suite.js';
export { describeRunStoreSuite } from './run-store-suite.js';
export { describeSharedStateSuite } from './shared-state-suite.js';
export { describeStoreSuite, record, type StoreFixture } from './store-suite.js';
export * from './fake-api/index.js';
export {
  type FaultProxy,
  type ProxyFault,
  type ProxyFaultRule,
  startFaultProxy,
} from './fault-proxy.js';
export { describeWriteKit, type WriteKitFixture, type WriteKitOptions } from './write-kit.js';
