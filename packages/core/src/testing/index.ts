export { MemoryStore } from '../store/memory-store.js';
export { describePluginKit } from './plugin-kit.js';
export type {
  BoundRule,
  EntityKitOptions,
  PluginKitFixture,
  PluginKitOptions,
  PluginKitScenario,
} from './plugin-kit-types.js';
export {
  describeEventStoreSuite,
  describeGroupedDeletesSuite,
  describeRecordStoreSuite,
  describeRunQuerySuite,
  describeRunStoreSuite,
  describeStoreSuite,
  record,
  type StoreFixture,
} from './store-suite.js';
export * from './fake-api/index.js';
export {
  type FaultProxy,
  type ProxyFault,
  type ProxyFaultRule,
  startFaultProxy,
} from './fault-proxy.js';
