import { describePluginKit } from '@crmsync/core/testing';
import { KIT_TAB, startGsheetKitFixture } from './fake-server/index.js';
import { createGsheetPlugin } from './index.js';

describePluginKit({
  plugin: createGsheetPlugin([KIT_TAB]),
  entity: 'marketing_leads',
  setup: ({ size }) => startGsheetKitFixture({ size }),
  unsupported: {
    'start-date':
      'rows have no change time and the Sheets API no date filter: every read is the whole tab',
  },
});
