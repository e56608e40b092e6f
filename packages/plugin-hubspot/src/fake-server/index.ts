import type { PluginKitFixture } from '@crmsync/core/testing';
import { FakeHubspotServer, type FakeHubspotOptions } from './server.js';

export { type FakeFault, type FakeHubspotOptions, FakeHubspotServer } from './server.js';
export { hash, type HubspotObject, ObjectStore, STANDARD_OBJECT_TYPES } from './data.js';
export {
  type HubspotWebhookEvent,
  HubspotWebhookSender,
  type SendWebhookOptions,
} from './webhooks.js';

export interface StartFakeHubspotOptions extends FakeHubspotOptions {
  /** The entity the kit methods act on (default `contacts`). */
  entity?: string;
}

export type FakeHubspotHandle = PluginKitFixture & { fake: FakeHubspotServer; baseUrl: string };

/**
 * Starts a fake HubSpot account and returns it with the plugin test kit's fixture methods
 * (acting on `entity`) and a config pointing the plugin at it with a private-app token.
 *
 * @example
 * const hs = await startFakeHubspot({ counts: { contacts: 120 } });
 * await engine.runEntity({ plugin: hubspotPlugin, entity: 'contacts', config: hs.config });
 */
export async function startFakeHubspot(
  options: StartFakeHubspotOptions = {},
): Promise<FakeHubspotHandle> {
  const fake = await FakeHubspotServer.start(options);
  const type = options.entity ?? 'contacts';
  const store = fake.objects(type);
  const email = type === 'contacts' || type === '0-1';
  return {
    fake,
    baseUrl: fake.baseUrl,
    config: { HUBSPOT_ACCESS_TOKEN: fake.accessToken, HUBSPOT_BASE_URL: fake.baseUrl },
    pluginOptions: {},
    mutate: async (count) => fake.mutate(type, count),
    addRecords: async (count, at) => store.add(count, at).map(String),
    async corrupt(count) {
      const ids: number[] = [];
      for (let i = 1; i <= store.size && ids.length < count; i++)
        if (!store.isArchived(i)) ids.push(i);
      for (const i of ids)
        store.touch([i], new Date(store.updatedAtMs(i)), (o) => {
          // Strict validation must refuse these: an email that is not one, or a record without an id.
          if (email) o.properties.email = 'not-an-email';
          else o.id = '';
        });
      return ids.map(String);
    },
    injectFault(fault) {
      fake.injectFault(fault, type);
    },
    requestedPageSizes: () => fake.pageSizes(type),
    async setUpdatedAt(externalId, at) {
      store.touch([Number(externalId)], at);
    },
    close: () => fake.close(),
  };
}
export {
  type FakeHubspotDeveloper,
  type FakeHubspotWebhookSettings,
  type FakeHubspotWebhookSubscription,
  mountHubspotWebhookApi,
} from './webhooks-api.js';
