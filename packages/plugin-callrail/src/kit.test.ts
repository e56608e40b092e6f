import { describePluginKit } from '@crmsync/core/testing';
import {
  startCallRailCompaniesKitFixture,
  startCallRailKitFixture,
} from './fake-server/kit-fixture.js';
import callrailPlugin from './index.js';

describePluginKit({
  plugin: callrailPlugin,
  // Calls, form submissions and text messages are one code path (list.ts, trailing window);
  // companies stands for the account-setup lists read whole (users, tags, trackers).
  coverage: 'every-delta-kind',
  entities: {
    accounts: {
      skip: 'the key sees one account, which a fake cannot multiply or remove: companies stands for the lists read whole',
    },
    companies: {
      maxPageSize: 250,
      unsupported: {
        'start-date': 'account-setup lists have no date filter: every read is the whole list',
      },
    },
    calls: {
      // CallRail's `end_date` includes its instant: a call exactly on the bound is read (again).
      bounds: { since: 'inclusive', until: 'inclusive' },
      maxPageSize: 250,
      unsupported: {
        deletes: 'CallRail reports no deleted calls: no archived flag, no deleted feed',
      },
    },
  },
  setup: ({ size, entity }) =>
    entity === 'companies'
      ? startCallRailCompaniesKitFixture({ size })
      : startCallRailKitFixture({ size }),
});
