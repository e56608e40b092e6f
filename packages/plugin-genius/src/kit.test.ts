import { describePluginKit, type EntityKitOptions } from '@crmsync/core/testing';
import { describe, it } from 'vitest';
import { startGeniusKitFixture } from './fake-server/index.js';
import { skipReason } from './fake-server/test-env.js';
import geniusPlugin from './index.js';

// Every Genius table goes through one reader (client.stream); the kit runs it on appointments,
// the table its fixture seeds and changes.
const others: Record<string, EntityKitOptions> = Object.fromEntries(
  geniusPlugin.entities
    .filter((e) => e.name !== 'appointments')
    .map((e) => [e.name, { skip: 'same table reader as appointments, which the kit runs' }]),
);

if (skipReason === null) {
  describePluginKit({
    plugin: geniusPlugin,
    setup: ({ size }) => startGeniusKitFixture({ size }),
    entities: {
      ...others,
      appointments: {
        unsupported: {
          deletes:
            'a row deleted from an updated-since table leaves nothing a delta can read, and Genius tables have no deleted flag',
        },
      },
    },
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
