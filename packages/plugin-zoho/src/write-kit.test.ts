import { describeWriteKit } from '@crmsync/core/testing';
import { fakeZohoConfig, picklist, REGIONS, startFakeZoho } from './fake-server/index.js';
import zohoPlugin from './index.js';

// The write kit against the fake's PUT /{Module} (per-record results) and GET ?ids= re-reads.
describeWriteKit({
  plugin: zohoPlugin,
  entity: 'deals',
  async setup() {
    const fake = await startFakeZoho({ size: 8 });
    const deals = fake.org.module('Deals');
    // The request log keeps no bodies: a fault that never fires counts the PUTs carrying each id.
    const puts: string[] = [];
    fake.api.fault({
      times: Number.MAX_SAFE_INTEGER,
      match: (r) => {
        if (r.method === 'PUT' && r.path === '/crm/v8/Deals') puts.push(r.body);
        return false;
      },
    });
    return {
      config: fakeZohoConfig(fake),
      ids: deals.records.all().map((r) => r.id),
      fields: ['Deal_Name', 'Description'],
      value: (field, n) => `${field} kit ${n}`,
      async remoteEdit(id, field, value) {
        fake.org.touch('Deals', id, { [field]: value });
      },
      remoteValue: async (id, field) => deals.records.get(id)?.[field] ?? null,
      async refusedChange(id) {
        // An admin retires a picklist value after crmsync read the metadata: Zoho answers
        // INVALID_DATA for that record alone.
        const current = deals.records.get(id)?.Install_Region;
        const value = REGIONS.find((r) => r !== current) ?? 'West';
        const region = deals.fields.find((f) => f.api_name === 'Install_Region');
        if (region) region.pick_list_values = picklist(REGIONS.filter((r) => r !== value));
        return { field: 'Install_Region', value };
      },
      writesTo: (id) => puts.filter((body) => body.includes(`"${id}"`)).length,
      close: () => fake.close(),
    };
  },
});
