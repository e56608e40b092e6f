import { describePluginKit } from '@crmsync/core/testing';
import { salesforceFixture } from './fake-server/index.js';
import salesforcePlugin from './index.js';

// Every kit scenario for each standard object, through REST query/queryAll on the fake
// (the bulk threshold is set out of reach here; Bulk 2.0 has its own tests).
describePluginKit({
  plugin: salesforcePlugin,
  size: 60,
  setup: ({ size, entity }) => salesforceFixture(entity, size),
  entities: {
    leads: { maxPageSize: 2_000 },
    contacts: { maxPageSize: 2_000 },
    accounts: { maxPageSize: 2_000 },
    opportunities: { maxPageSize: 2_000 },
  },
});
