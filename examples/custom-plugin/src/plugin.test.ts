import { describePluginKit } from '@crmsync/core/testing';
import { startFakeAcme } from './fake-server/index.js';
import acmePlugin from './index.js';

// The same scenarios every crmsync plugin passes: full, delta, force, dry run, max records,
// batch size, start date, 429 and 5xx recovery, bad records, history rows.
describePluginKit({
  plugin: acmePlugin,
  entity: 'leads',
  setup: ({ size }) => startFakeAcme(size),
});
