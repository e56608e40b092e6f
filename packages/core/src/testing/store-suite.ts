import { describe } from 'vitest';
import { describeEventStoreSuite } from './event-store-suite.js';
import { describeGroupedDeletesSuite } from './grouped-deletes-suite.js';
import { describeLocalChangesSuite } from './local-changes-suite.js';
import { describeRecordStoreSuite } from './record-store-suite.js';
import { describeRunQuerySuite } from './run-query-suite.js';
import { describeRunStoreSuite } from './run-store-suite.js';
import { describeSharedStateSuite } from './shared-state-suite.js';
import type { StoreFixture } from './store-suite-fixtures.js';

export { record, type StoreFixture } from './store-suite-fixtures.js';

/**
 * The behaviour every Store must have: one suite per capability, the optional ones skipped
 * on a store that does not offer them. Each implementation runs it:
 *
 * @example
 * describeStoreSuite('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => {} }));
 */
export function describeStoreSuite(name: string, open: () => Promise<StoreFixture>): void {
  describe(`store suite: ${name}`, () => {
    describeRunStoreSuite(name, open);
    describeRunQuerySuite(name, open);
    describeRecordStoreSuite(name, open);
    describeEventStoreSuite(name, open);
    describeGroupedDeletesSuite(name, open);
    describeLocalChangesSuite(name, open);
    describeSharedStateSuite(name, open);
  });
}
