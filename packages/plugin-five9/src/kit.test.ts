import type { CrmPlugin } from '@crmsync/core';
import { describePluginKit } from '@crmsync/core/testing';
import { startFive9KitFixture } from './fake-server/index.js';
import five9Plugin from './index.js';

const noPages =
  'getContactRecords has no page size: one call answers every match up to 1,000 records';
const whole = 'without a report every read is the whole contact list (delta none)';

// Without FIVE9_CONTACTS_REPORT: contacts read whole by number1 partitions, and contact fields.
describePluginKit({
  plugin: five9Plugin,
  size: 40,
  setup: ({ entity, size }) => startFive9KitFixture(entity, size),
  entities: {
    contacts: { unsupported: { 'batch-size': noPages, 'start-date': whole } },
    contact_fields: {
      unsupported: {
        'batch-size': 'getContactFields answers every field definition at once',
        'start-date': 'field definitions have no change time: every read is whole',
        'bad-records':
          'field definitions have nothing strict validation could refuse but a missing name, which is their key',
        resume: 'one call answers every field definition: there is no later page to resume at',
        cursor: 'one call answers every field definition: there are no pages to follow',
      },
    },
  },
});

// With FIVE9_CONTACTS_REPORT: a read with bounds runs the report over [since, until).
const withReport = {
  ...five9Plugin,
  entities:
    five9Plugin.configureEntities?.({
      FIVE9_CONTACTS_REPORT: 'crmsync/Contacts changed',
    } as never) ?? [],
} as CrmPlugin;

describePluginKit({
  plugin: withReport,
  size: 40,
  setup: ({ entity, size }) => startFive9KitFixture(entity, size, { report: true }),
  entities: {
    contacts: { unsupported: { 'batch-size': noPages } },
    contact_fields: { skip: 'the same entity as without a report, run above' },
  },
});
