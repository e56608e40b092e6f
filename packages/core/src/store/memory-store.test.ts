import { describeStoreSuite } from '../testing/store-suite.js';
import { MemoryStore } from './memory-store.js';

describeStoreSuite('MemoryStore', async () => ({
  store: new MemoryStore(),
  cleanup: async () => {},
}));
