import { describePluginKit } from '@crmsync/core/testing';
import { describe, it } from 'vitest';
import { startGeniusKitFixture } from './fake-server/index.js';
import { skipReason } from './fake-server/test-env.js';
import geniusPlugin from './index.js';

if (skipReason === null) {
  describePluginKit({
    plugin: geniusPlugin,
    entity: 'appointments',
    setup: ({ size }) => startGeniusKitFixture({ size }),
    unsupported: {
      'rate-limit':
        'a database has no request quota: nothing answers 429 (connection loss is the server-errors scenario)',
    },
  });
} else {
  describe('plugin kit: genius appointments', () => {
    it.skip(`needs MariaDB — ${skipReason}`, () => {});
  });
}
