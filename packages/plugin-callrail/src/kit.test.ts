import { describePluginKit } from '@crmsync/core/testing';
import { startCallRailKitFixture } from './fake-server/index.js';
import callrailPlugin from './index.js';

describePluginKit({
  plugin: callrailPlugin,
  entity: 'calls',
  setup: ({ size }) => startCallRailKitFixture({ size }),
});
