import { describePluginKit, type EntityKitOptions } from '@crmsync/core/testing';
import { afterAll, describe, it } from 'vitest';
import { GeniusTestDatabase } from './fake-server/database.js';
import {
  startGeniusKitFixture,
  startGeniusReferenceKitFixture,
} from './fake-server/kit-fixture.js';
import { skipReason } from './fake-server/test-env.js';
import geniusPlugin from './index.js';

// Every Genius table goes through one reader (client.stream): the kit runs it on appointments
// (updated-since) and appointment types (a reference table read whole), which its fixtures seed.
const run = new Set(['appointments', 'appointment_types']);
const others: Record<string, EntityKitOptions> = Object.fromEntries(
  geniusPlugin.entities
    .filter((e) => !run.has(e.name))
    .map((e) => [
      e.name,
      {
        skip: `same table reader as ${e.delta.kind === 'none' ? 'appointment_types' : 'appointments'}, which the kit runs`,
      },
    ]),
);

if (skipReason === null) {
  // Creating a Genius database takes seconds: the scenarios share one, each refilling its table.
  let shared: Promise<GeniusTestDatabase> | undefined;
  const sharedDatabase = () => {
    shared ??= GeniusTestDatabase.create({ timeZone: 'America/New_York', size: 5 });
    return shared;
  };
  afterAll(async () => {
    await (await shared)?.drop();
  });
  // A Genius read is one streamed query cut into --batch-size pages by the client: no page
  // size is asked of the server (delta-reads.test.ts checks the pages and the single query).
  const streamed =
    'a read is one streamed query, cut into --batch-size pages by the client: the server is asked no page size';
  describePluginKit({
    plugin: geniusPlugin,
    setup: ({ size, entity }) =>
      entity === 'appointment_types'
        ? startGeniusReferenceKitFixture({
            size,
            table: 'appointment_type',
            database: sharedDatabase(),
          })
        : startGeniusKitFixture({ size, database: sharedDatabase() }),
    entities: {
      ...others,
      appointment_types: {
        // Reference tables are small; fewer rows keep each scenario's database quick to seed.
        size: 40,
        unsupported: {
          'start-date': 'a reference table has no change time: every read is the whole table',
          'batch-size': streamed,
        },
      },
      appointments: {
        unsupported: {
          'batch-size': streamed,
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
