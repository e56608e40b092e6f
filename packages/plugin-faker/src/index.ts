import { CORE_CONTRACT_VERSION, defineCrmPlugin } from '@crmsync/core';
import { FakerClient, type FakerConfig } from './client.js';
import { activities } from './entities/activities.js';
import { companies } from './entities/companies.js';
import { contacts } from './entities/contacts.js';
import { deals } from './entities/deals.js';

/**
 * Sample CRM data for trying crmsync, demos and benchmarks: deterministic, realistic
 * contacts, companies, deals and activities served by a local fake API, so a sync walks
 * the same HTTP path as a real CRM. With no `FAKER_BASE_URL` it starts that API itself.
 */
export const fakerPlugin = defineCrmPlugin<FakerClient, FakerConfig>({
  contractVersion: CORE_CONTRACT_VERSION,
  name: 'faker',
  displayName: 'Faker (sample data)',
  kind: 'api',
  demo: true,
  description: 'Deterministic sample CRM data from a local fake API. Needs no credentials.',
  config: {
    baseUrl: {
      env: 'FAKER_BASE_URL',
      type: 'url',
      description: 'A running faker API; unset = start one in-process on 127.0.0.1',
    },
    token: {
      env: 'FAKER_TOKEN',
      secret: true,
      description: 'Bearer token of the faker API at FAKER_BASE_URL',
    },
    size: {
      env: 'FAKER_SIZE',
      type: 'integer',
      default: 1000,
      description: 'Contacts and activities in the embedded API (companies: a fifth, deals: half)',
    },
    seed: {
      env: 'FAKER_SEED',
      type: 'integer',
      default: 42,
      description: 'Seed of the generated data',
    },
    changesPerMinute: {
      env: 'FAKER_CHANGES_PER_MINUTE',
      type: 'integer',
      default: 20,
      description: 'Records the embedded API edits per minute, per entity',
    },
    requestsPerSecond: {
      env: 'FAKER_REQUESTS_PER_SECOND',
      type: 'integer',
      default: 50,
      description: 'Client-side rate limit',
    },
  },
  options: {
    'latency-ms': {
      type: 'integer',
      description: 'Latency the faker API adds to every page, to see a slow CRM (0 = none)',
      default: 0,
      min: 0,
      max: 10_000,
    },
  },
  entities: [contacts, companies, deals, activities],
  createClient: (context) => FakerClient.create(context),
  closeClient: (client) => client.close(),
  async health(client, signal) {
    const started = performance.now();
    await client.health(signal);
    return { ok: true, latencyMs: performance.now() - started };
  },
});

export default fakerPlugin;
export { FakerClient, type FakerConfig } from './client.js';
export * from './fake-server/index.js';
