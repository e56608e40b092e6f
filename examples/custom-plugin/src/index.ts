import { defineCrmPlugin } from '@crmsync/core';
import { createAcmeClient } from './client.js';
import { leads } from './entities/leads.js';

/**
 * The plugin object crmsync discovers through package.json's `"crmsync": {"plugin": …}`.
 * Each config key is its env var; its type flows into `createClient`, already parsed and
 * checked (a required setting is there, a default filled in). Health is core's default probe:
 * one record of the first entity.
 */
export const acmePlugin = defineCrmPlugin({
  name: 'acme',
  displayName: 'Acme CRM',
  kind: 'api',
  config: {
    ACME_API_TOKEN: { type: 'secret', required: true, description: 'API token' },
    ACME_BASE_URL: {
      type: 'url',
      default: 'https://api.acme.example',
      description: 'API base URL',
    },
  },
  entities: [leads],
  createClient: ({ config, metrics }) =>
    createAcmeClient({ baseUrl: config.ACME_BASE_URL, token: config.ACME_API_TOKEN, metrics }),
  closeClient: async (client) => client.options.limiter?.stop(),
});

export default acmePlugin;
