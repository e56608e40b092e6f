import { describePluginKit } from '@crmsync/core/testing';
import { startFakeAcme } from './fake-server/index.js';
import acmePlugin from './index.js';

// The same scenarios every crmsync plugin passes, for each of its entities: full, cursor,
// delta, force, dry run, max records, batch size and its cap, start and end date, the
// since/until bounds, resume, deletions, wrong credentials, 429 and 5xx recovery, bad
// records, history rows.
describePluginKit({
  plugin: acmePlugin,
  setup: ({ size }) => startFakeAcme(size),
  entities: {
    leads: {
      maxPageSize: 200,
      unsupported: {
        deletes: 'Acme reports no deleted leads: no archived flag, no deleted feed',
      },
    },
  },
});
