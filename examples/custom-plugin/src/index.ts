import { CORE_CONTRACT_VERSION, CrmsyncError, defineCrmPlugin } from '@crmsync/core';
import { AcmeClient } from './client.js';
import { leads } from './entities/leads.js';

/** The plugin object crmsync discovers through package.json's `"crmsync": {"plugin": …}`. */
export const acmePlugin = defineCrmPlugin<AcmeClient>({
  contractVersion: CORE_CONTRACT_VERSION,
  name: 'acme',
  displayName: 'Acme CRM',
  kind: 'api',
  config: {
    ACME_API_TOKEN: {
      env: 'ACME_API_TOKEN',
      description: 'API token',
      secret: true,
      required: true,
    },
    ACME_BASE_URL: {
      env: 'ACME_BASE_URL',
      description: 'API base URL',
      type: 'url',
      default: 'https://api.acme.example',
    },
  },
  entities: [leads],
  createClient({ config, metrics }) {
    if (typeof config.ACME_API_TOKEN !== 'string' || !config.ACME_API_TOKEN)
      throw new CrmsyncError('config', 'acme: set ACME_API_TOKEN', { crm: 'acme' });
    return new AcmeClient({
      baseUrl: String(config.ACME_BASE_URL),
      token: config.ACME_API_TOKEN,
      metrics,
    });
  },
  closeClient: (client) => client.close(),
  async health(client, signal) {
    const started = performance.now();
    try {
      await client.http.get('/v1/leads', { query: { limit: 1 }, signal });
      return { ok: true, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      return {
        ok: false,
        latencyMs: Math.round(performance.now() - started),
        message: (error as Error).message,
      };
    }
  },
});

export default acmePlugin;
