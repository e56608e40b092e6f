import { describePluginKit } from '@crmsync/core/testing';
import { type LeadConduitEntity, startLeadConduitKitFixture } from './fake-server/index.js';
import leadconduitPlugin from './index.js';

const immutable = {
  delta: 'events are immutable: a delta brings new events only (own tests: the id cursor)',
  'full-keeps-newer': 'events are immutable: no update time to compare',
  deletes: 'LeadConduit reports no removed events (they expire at expires_at)',
};
const unpaged = {
  cursor: 'the API answers the whole list in one response: no paging',
  resume: 'one request per read: nothing to resume after',
  'batch-size': 'the API answers the whole list in one response: no page size',
  'page-size': 'the API answers the whole list in one response: no page size',
  'start-date': 'no date filter: every read is the whole list',
};

describePluginKit({
  // Entities of one code path share a run: the first of each delta kind and deletion signal
  // runs every scenario, the others are listed as covered (the kit's time budget). Set
  // CRMSYNC_KIT_EVERY_ENTITY=1 to run every scenario for every entity.
  coverage: process.env.CRMSYNC_KIT_EVERY_ENTITY ? 'every-entity' : 'every-delta-kind',
  plugin: leadconduitPlugin,
  setup: ({ entity, size }) => startLeadConduitKitFixture(entity as LeadConduitEntity, size),
  entities: {
    events: { size: 60, maxPageSize: 1000, unsupported: immutable },
    leads: { size: 40, maxPageSize: 1000, unsupported: immutable },
    flows: { size: 20, unsupported: unpaged },
    destinations: { size: 20, unsupported: unpaged },
  },
});
