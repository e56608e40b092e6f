import { describePluginKit } from '@crmsync/core/testing';
import { salesforceFixture } from './fake-server/index.js';
import salesforcePlugin from './index.js';

// The kit again with slicing off (`--slices 1`: one query chain); kit.test.ts runs it with
// the default 4 time slices read at once.
describePluginKit({
  plugin: salesforcePlugin,
  size: 60,
  coverage: 'every-delta-kind',
  setup: async ({ size, entity }) => ({
    ...(await salesforceFixture(entity, size)),
    pluginOptions: { slices: 1 },
  }),
  entities: { leads: { maxPageSize: 2_000 } },
});
