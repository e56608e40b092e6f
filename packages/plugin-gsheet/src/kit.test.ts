import { describePluginKit } from '@crmsync/core/testing';
import { KIT_TAB, startGsheetKitFixture } from './fake-server/index.js';
import { createGsheetPlugin } from './index.js';

describePluginKit({
  // One configured tab: every tab is the same entity code with other columns.
  plugin: createGsheetPlugin([KIT_TAB]),
  setup: ({ size }) => startGsheetKitFixture({ size }),
  entities: {
    marketing_leads: {
      unsupported: {
        'start-date':
          'rows have no change time and the Sheets API no date filter: every read is the whole tab',
      },
    },
  },
});
