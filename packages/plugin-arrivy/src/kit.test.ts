import { describePluginKit } from '@crmsync/core/testing';
import { type ArrivyEntity, startArrivyKitFixture } from './fake-server/index.js';
import arrivyPlugin from './index.js';

const whole = { 'start-date': 'no date filter: every read is the whole list' };
const history = {
  delta:
    'status entries are history: a delta brings new ones only (own tests: tasks changed → their statuses)',
  'full-keeps-newer': 'status entries are never changed: no update time to compare',
  deletes: 'Arrivy reports no removed status entries',
};

describePluginKit({
  // Entities of one code path share a run: the first of each delta kind and deletion signal
  // runs every scenario, the others are listed as covered (the kit's time budget). Set
  // CRMSYNC_KIT_EVERY_ENTITY=1 to run every scenario for every entity.
  coverage: process.env.CRMSYNC_KIT_EVERY_ENTITY ? 'every-entity' : 'every-delta-kind',
  plugin: arrivyPlugin,
  // The kit pages through a fake that honours items_per_page: the default fake serves 500 rows
  // whatever is asked (what the legacy saw), which no small page size can show. The plugin's
  // own tests read that one.
  setup: ({ entity, size }) =>
    startArrivyKitFixture(entity as ArrivyEntity, size, {
      honourPageSize: true,
      statusesPaged: true,
    }),
  entities: {
    entities: { size: 20, maxPageSize: 500, unsupported: whole },
    groups: { size: 20, maxPageSize: 500, unsupported: whole },
    crews: { size: 20, maxPageSize: 500, unsupported: whole },
    bookings: { size: 20, maxPageSize: 500, unsupported: whole },
    statuses: { size: 20, maxPageSize: 500, unsupported: whole },
    tasks: { size: 40, maxPageSize: 500, deletesOn: 'full' },
    task_statuses: { size: 20, maxPageSize: 500, unsupported: history },
  },
});
