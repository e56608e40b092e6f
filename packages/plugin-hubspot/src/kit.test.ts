import { describePluginKit } from '@crmsync/core/testing';
import { startFakeHubspot } from './fake-server/index.js';
import hubspotPlugin from './index.js';

describePluginKit({
  plugin: hubspotPlugin,
  entity: 'contacts',
  setup: ({ size }) => startFakeHubspot({ counts: { contacts: size, companies: 10, deals: 10 } }),
});
