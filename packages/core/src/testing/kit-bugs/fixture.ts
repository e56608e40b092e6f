import type { PluginKitFixture } from '../plugin-kit-types.js';
import { FakeWidgets } from './fake.js';

/** The fake Widgets CRM as the plugin kit's fixture. */
export async function startWidgetsFixture(size: number): Promise<PluginKitFixture> {
  const fake = await FakeWidgets.start(size);
  const live = () => [...fake.widgets.values()].filter((w) => !w.archived).map((w) => w.id);
  return {
    config: { WIDGETS_TOKEN: fake.token, WIDGETS_BASE_URL: fake.baseUrl },
    async mutate(count) {
      const ids = live().slice(0, count);
      for (const id of ids)
        fake.change(id, { name: `Changed ${id}`, updated_at: new Date().toISOString() });
      return ids;
    },
    addRecords: async (count, at) => Array.from({ length: count }, () => fake.add(at)),
    async corrupt(count) {
      const ids = live().slice(-count);
      for (const id of ids) fake.change(id, { email: 'not-an-email' });
      return ids;
    },
    injectFault(fault) {
      if (fault.kind === 'rate-limit') fake.injectFault(fault);
      else for (let i = 0; i < fault.count; i++) fake.injectFault({ kind: 'server-error' });
    },
    requestedPageSizes: () => [...fake.pageSizes],
    setUpdatedAt: async (id, at) => fake.change(id, { updated_at: at.toISOString() }),
    async remove(count) {
      const ids = live().slice(0, count);
      for (const id of ids)
        fake.change(id, { archived: true, updated_at: new Date().toISOString() });
      return ids;
    },
    badCredentials: { WIDGETS_TOKEN: 'wrong-widgets-token-9999' },
    async setCustomField(ids, value) {
      for (const id of ids) fake.change(id, { custom: { tier: value } });
      return 'tier';
    },
    close: () => fake.close(),
  };
}
