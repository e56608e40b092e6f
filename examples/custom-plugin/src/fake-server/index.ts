import type { PluginKitFixture } from '@crmsync/core/testing';
import { FakeAcmeServer } from './server.js';

export { FakeAcmeServer } from './server.js';

/** The fake wrapped as the plugin test kit's fixture: config pointing at it, and its knobs. */
export async function startFakeAcme(
  size: number,
): Promise<PluginKitFixture & { fake: FakeAcmeServer }> {
  const fake = await FakeAcmeServer.start(size);
  const change = (id: string, patch: Partial<{ email: string; updated_at: string }>) => {
    const lead = fake.leads.get(id);
    if (lead) fake.leads.set(id, { ...lead, ...patch });
  };
  return {
    fake,
    config: { ACME_API_TOKEN: fake.token, ACME_BASE_URL: fake.baseUrl },
    badCredentials: { ACME_API_TOKEN: 'wrong-acme-token-0000' },
    async mutate(count) {
      const ids = [...fake.leads.keys()].slice(0, count);
      for (const id of ids) change(id, { updated_at: new Date().toISOString() });
      return ids;
    },
    async addRecords(count, at) {
      const ids: string[] = [];
      for (let n = 0; n < count; n++) {
        const id = String(fake.leads.size + 1);
        const iso = at.toISOString();
        fake.leads.set(id, {
          id,
          email: `new${id}@example.com`,
          name: `New ${id}`,
          phone: null,
          status: 'new',
          created_at: iso,
          updated_at: iso,
        });
        ids.push(id);
      }
      return ids;
    },
    async corrupt(count) {
      const ids = [...fake.leads.keys()].slice(-count);
      for (const id of ids) change(id, { email: 'not-an-email' });
      return ids;
    },
    injectFault(fault) {
      if (fault.kind === 'rate-limit') fake.injectFault(fault);
      else for (let i = 0; i < fault.count; i++) fake.injectFault({ kind: 'server-error' });
    },
    requestedPageSizes: () => [...fake.pageSizes],
    async setUpdatedAt(id, at) {
      change(id, { updated_at: at.toISOString() });
    },
    close: () => fake.close(),
  };
}
