import { describeWriteKit } from '@crmsync/core/testing';
import hubspotPlugin from './index.js';
import { startFakeHubspot } from './fake-server/index.js';

// The write kit against the fake's batch read/update and properties endpoints.
describeWriteKit({
  plugin: hubspotPlugin,
  entity: 'contacts',
  async setup() {
    const hs = await startFakeHubspot({ counts: { contacts: 12 } });
    const contacts = hs.fake.objects('contacts');
    return {
      config: hs.config,
      ids: ['1', '2', '3', '4'],
      fields: ['firstname', 'lastname'],
      value: (field, n) => `${field}-kit-${n}`,
      async remoteEdit(id, field, value) {
        contacts.touch([Number(id)], new Date(), (o) => {
          o.properties[field] = value === null ? null : String(value);
        });
      },
      remoteValue: async (id, field) => contacts.get(Number(id))?.properties[field] ?? null,
      async refusedChange(id) {
        // HubSpot keeps contact emails unique: another contact's email passes our format check.
        const other = contacts.get(Number(id) === 2 ? 3 : 2);
        return { field: 'email', value: other?.properties.email };
      },
      writesTo: (id) => hs.fake.writesTo('contacts', id),
      close: () => hs.close(),
    };
  },
});
