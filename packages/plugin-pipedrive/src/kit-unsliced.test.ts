import { describePluginKit } from '@crmsync/core/testing';
import { type PipedriveEntity, pipedriveFixture } from './fake-server/index.js';
import pipedrivePlugin from './index.js';

// The kit again with slicing off (`--slices 1`: one cursor chain); kit.test.ts runs it with
// the default 4 time slices read at once.
describePluginKit({
  plugin: pipedrivePlugin,
  size: 60,
  coverage: 'every-delta-kind',
  setup: async ({ size, entity }) => ({
    ...(await pipedriveFixture(entity as PipedriveEntity, size)),
    pluginOptions: { slices: 1 },
  }),
  entities: { persons: { maxPageSize: 500 } },
});
