import { describePluginKit } from '@crmsync/core/testing';
import { startFakeHubspot } from './fake-server/index.js';
import hubspotPlugin from './index.js';

const noControls =
  'the HubSpot fake has kit controls (change, add, corrupt, fault) for CRM objects only, none yet for';

describePluginKit({
  plugin: hubspotPlugin,
  // Contacts, companies, deals, meetings and appointments are one code path (objects.ts).
  coverage: 'every-delta-kind',
  entities: {
    // The list endpoint's maximum (search allows 200; the scenario's first read lists).
    contacts: { maxPageSize: 100 },
    owners: { skip: `${noControls} owners` },
    associations: { skip: `${noControls} association links` },
  },
  async setup({ size, entity }) {
    const hs = await startFakeHubspot({ entity, counts: { [entity]: size } });
    const objects = hs.fake.objects(entity);
    return {
      ...hs,
      badCredentials: { HUBSPOT_ACCESS_TOKEN: 'wrong-hubspot-token-0000' },
      /** Archives the first live objects: HubSpot lists them with `archived=true`. */
      async remove(count) {
        const ids: number[] = [];
        for (let i = 1; i <= objects.size && ids.length < count; i++)
          if (!objects.isArchived(i)) ids.push(i);
        objects.archive(ids, new Date());
        return ids.map(String);
      },
    };
  },
});
