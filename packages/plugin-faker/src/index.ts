import { defineCrmPlugin } from '@crmsync/core';
import { FakerClient, fakerConfig } from './client.js';
import { activities } from './entities/activities.js';
import { companies } from './entities/companies.js';
import { contacts } from './entities/contacts.js';
import { deals } from './entities/deals.js';

/**
 * Sample CRM data for trying crmsync, demos and benchmarks: deterministic, realistic
 * contacts, companies, deals and activities served by a local fake API, so a sync walks
 * the same HTTP path as a real CRM. With no `FAKER_BASE_URL` it starts that API itself.
 */
export const fakerPlugin = defineCrmPlugin({
  name: 'faker',
  displayName: 'Faker (sample data)',
  kind: 'api',
  description: 'Deterministic sample CRM data from a local fake API. Needs no credentials.',
  config: fakerConfig,
  healthEntity: 'companies',
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
});

export default fakerPlugin;
export { FakerClient, type FakerConfig } from './client.js';
export * from './fake-server/index.js';
