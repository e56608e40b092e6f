import type { FakeRequest, LoggedRequest } from '@crmsync/core/fake-api';
import type { PluginKitFixture } from '@crmsync/core/testing';
import { REGIONS, picklist } from './data.js';
import { type FakeZoho, type FakeZohoOptions, startFakeZoho } from './server.js';

/** crmsync entity → Zoho module. */
export const ENTITY_MODULES: Record<string, string> = {
  deals: 'Deals',
  contacts: 'Contacts',
  accounts: 'Accounts',
  leads: 'Leads',
};

/** The plugin config pointing at a fake (OAuth refresh flow, token from its accounts path). */
export function fakeZohoConfig(fake: FakeZoho): Record<string, string> {
  return {
    ZOHO_CLIENT_ID: fake.client.clientId,
    ZOHO_CLIENT_SECRET: fake.client.clientSecret,
    ZOHO_REFRESH_TOKEN: fake.client.refreshToken,
    ZOHO_ACCOUNTS_URL: fake.url,
    ZOHO_BASE_URL: fake.url,
  };
}

/** The fake as the plugin test kit's fixture for one entity (Zoho module). */
export async function zohoKitFixture(
  entity: string,
  size: number,
  options: FakeZohoOptions = {},
): Promise<PluginKitFixture & { fake: FakeZoho }> {
  const module = ENTITY_MODULES[entity] ?? entity;
  const fake = await startFakeZoho({
    ...options,
    ...(ENTITY_MODULES[entity] ? {} : { modules: [module] }),
  });
  const org = fake.org;
  const records = org.module(module).records;
  for (let i = 0; i < size; i++) {
    const now = fake.api.clock.now();
    org.addRecord(module, {}, now - 90 * 86_400_000 + Math.floor((i * 89 * 86_400_000) / size));
  }
  const first = (count: number) =>
    records
      .all()
      .slice(0, count)
      .map((r) => r.id);
  const listRoute = (r: FakeRequest) =>
    r.route === '/crm/v8/:module' && r.params.module === module && r.method === 'GET';
  const config = fakeZohoConfig(fake);
  return {
    fake,
    config,
    badCredentials: { ...config, ZOHO_REFRESH_TOKEN: '1000.revoked-refresh-token' },
    async mutate(count) {
      const ids = first(count);
      for (const id of ids) org.touch(module, id, { Install_Region: 'West' });
      return ids;
    },
    async addRecords(count, at) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push(org.addRecord(module, {}, at.getTime()).id);
      return ids;
    },
    async corrupt(count) {
      const ids = records
        .all()
        .slice(-count)
        .map((r) => r.id);
      for (const id of ids)
        records.change(id, { Created_Time: 'not a time' }, records.changedAt(id));
      return ids;
    },
    injectFault(fault) {
      if (fault.kind === 'server-error')
        fake.api.fault({ status: 500, times: fault.count, match: listRoute });
      // Zoho's 429 carries no Retry-After (none documented); the fake adds the one the kit asks.
      else
        fake.api.fault({
          status: 429,
          headers: { 'retry-after': String(fault.retryAfterSeconds) },
          match: listRoute,
        });
    },
    requestedPageSizes: () =>
      fake.api.requests
        .filter(
          (r: LoggedRequest) =>
            r.route === '/crm/v8/:module' && r.path === `/crm/v8/${module}` && r.method === 'GET',
        )
        .map((r: LoggedRequest) => Number(r.query.get('per_page') ?? 200)),
    async setUpdatedAt(id, at) {
      org.touch(module, id, {}, at.getTime());
    },
    async remove(count) {
      const ids = first(count);
      for (const id of ids) org.remove(module, id);
      return ids;
    },
    /** An admin adds the value to the custom picklist Install_Region, then sets it. */
    async setCustomField(ids, value) {
      const field = org.module(module).fields.find((f) => f.api_name === 'Install_Region');
      if (field) field.pick_list_values = picklist([...REGIONS, value]);
      for (const id of ids) org.touch(module, id, { Install_Region: value });
      return 'Install_Region';
    },
    close: () => fake.close(),
  };
}
