import { describePluginKit } from '@crmsync/core/testing';
import { zohoKitFixture } from './fake-server/index.js';
import zohoPlugin from './index.js';

// Every scenario of the plugin kit against the fake Zoho org: deltas by
// If-Modified-Since (exclusive, to the second: the plugin asks from the second before and
// keeps `since` inclusive), deletions from /deleted, the custom picklist Install_Region, the
// 200-record page cap, a revoked refresh token failing as auth. The four entities are one
// `moduleEntity` each (same delta and deletion signal), so the kit runs deals in full and
// lists the others as covered; plugin.test.ts syncs each of them against its own module.
// (With `coverage: 'every-entity'` all 80 scenarios pass too, in about 40 s.)
const entity = { maxPageSize: 200, size: 60 };
describePluginKit({
  plugin: zohoPlugin,
  coverage: 'every-delta-kind',
  setup: ({ entity: name, size }) => zohoKitFixture(name, size),
  entities: { deals: entity, contacts: entity, accounts: entity, leads: entity },
});
