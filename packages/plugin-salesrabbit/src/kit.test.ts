import { describePluginKit } from '@crmsync/core/testing';
import { type SalesRabbitEntity, startSalesRabbitKitFixture } from './fake-server/index.js';
import salesrabbitPlugin from './index.js';

describePluginKit({
  // Entities of one code path share a run: the first of each delta kind and deletion signal
  // runs every scenario, the others are listed as covered (the kit's time budget). Set
  // CRMSYNC_KIT_EVERY_ENTITY=1 to run every scenario for every entity.
  coverage: process.env.CRMSYNC_KIT_EVERY_ENTITY ? 'every-entity' : 'every-delta-kind',
  plugin: salesrabbitPlugin,
  // The kit pages users through a /users that pages (0-indexed); the one that answers every
  // user on every page (the legacy's observation, the fake's default) cannot page at all and
  // is read by the plugin's own tests.
  setup: ({ entity, size }) =>
    startSalesRabbitKitFixture(
      entity as SalesRabbitEntity,
      size,
      entity === 'users' ? { usersPaging: 'zero-indexed' } : {},
    ),
  entities: {
    users: {
      size: 40,
      maxPageSize: 1000,
      unsupported: {
        deletes: 'SalesRabbit reports no removed users (a user is deactivated: active=false)',
      },
    },
    leads: { size: 60, maxPageSize: 1000 },
    lead_status_activities: {
      size: 40,
      maxPageSize: 1000,
      unsupported: {
        delta: 'a status activity is a history entry: a delta brings new ones only (own tests)',
        'full-keeps-newer': 'activities are never changed: no update time to compare',
        deletes: 'SalesRabbit reports no removed status activities',
      },
    },
  },
});
