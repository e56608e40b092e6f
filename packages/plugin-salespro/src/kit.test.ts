import { describePluginKit, type EntityKitOptions } from '@crmsync/core/testing';
import { startSalesProKitFixture } from './fake-server/index.js';
import salesproPlugin from './index.js';
import { TABLES } from './tables.js';

// Vault tables through the fake Athena (SigV4 checked, SQL run by SQLite). Deltas are
// exclusive on both bounds, as the seeds queried (`updated_at > …`). Every table goes through
// one reader (athenaEntity): by default the kit runs one table per delta kind (customers:
// updated_at; lead_results: created_at); SALESPRO_KIT_EVERY_ENTITY=1 runs all six (~50 s).
const entities: Record<string, EntityKitOptions> = Object.fromEntries(
  TABLES.map((t) => [
    t.name,
    { maxPageSize: 1000, bounds: { since: 'exclusive', until: 'exclusive' } },
  ]),
);

describePluginKit({
  plugin: salesproPlugin,
  size: 24,
  setup: ({ entity, size }) => startSalesProKitFixture(entity, size),
  entities: {
    ...entities,
    users: { skip: 'a CSV export, not Athena: its own tests in plugin.test.ts' },
    offices: { skip: 'a CSV export, not Athena: its own tests in plugin.test.ts' },
  },
  coverage: process.env.SALESPRO_KIT_EVERY_ENTITY === '1' ? 'every-entity' : 'every-delta-kind',
});
