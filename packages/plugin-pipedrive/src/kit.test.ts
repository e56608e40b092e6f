import { describePluginKit } from '@crmsync/core/testing';
import { type PipedriveEntity, pipedriveFixture } from './fake-server/index.js';
import pipedrivePlugin from './index.js';

// Every scenario of the plugin kit, for each entity: bounds, resume, deletions by the
// `is_deleted` flag, custom fields by name, the 500-record page cap, wrong credentials, faults.
describePluginKit({
  plugin: pipedrivePlugin,
  size: 60,
  setup: ({ size, entity }) => pipedriveFixture(entity as PipedriveEntity, size),
  entities: {
    persons: { maxPageSize: 500 },
    organizations: { maxPageSize: 500 },
    deals: { maxPageSize: 500 },
    activities: { maxPageSize: 500 },
    products: { maxPageSize: 500 },
  },
});
