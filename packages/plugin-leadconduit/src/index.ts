import { defineCrmPlugin } from '@crmsync/core';
import { DEFAULT_RATE_LIMIT, LeadConduitClient } from './client.js';
import { events, leads } from './entities/events.js';
import { destinations, flows } from './entities/lists.js';

export { DEFAULT_RATE_LIMIT, LeadConduitClient, leadconduitAuth } from './client.js';
export { objectIdFloor } from './entities/events.js';

/**
 * LeadConduit (ActiveProspect): the events every lead went through, read by id cursor,
 * the leads among them (`type: source`), and the account's flows and destinations.
 *
 * @example
 * // LEADCONDUIT_API_KEY=… crmsync sync leadconduit all --start-date 2026-01-01
 */
export const leadconduitPlugin = defineCrmPlugin({
  name: 'leadconduit',
  displayName: 'LeadConduit',
  kind: 'api',
  description: 'LeadConduit (ActiveProspect) events, leads, flows and destinations',
  config: {
    LEADCONDUIT_API_KEY: {
      description: 'API key (sent as the HTTP Basic password)',
      type: 'secret',
      required: true,
    },
    LEADCONDUIT_BASE_URL: {
      description: 'API root',
      type: 'url',
      default: 'https://app.leadconduit.com',
    },
    LEADCONDUIT_RATE_LIMIT: {
      description: 'Requests per minute the client allows itself (LeadConduit documents none)',
      type: 'integer',
      default: DEFAULT_RATE_LIMIT,
    },
    LEADCONDUIT_RETRY_BACKOFF_MS: {
      description: 'First wait before retrying a 5xx or a dropped connection (doubles each time)',
      type: 'integer',
      default: 500,
    },
  },
  entities: [flows, destinations, events, leads],
  healthEntity: 'flows',
  createClient: ({ config, metrics, logger }) =>
    new LeadConduitClient({
      baseUrl: config.LEADCONDUIT_BASE_URL,
      apiKey: config.LEADCONDUIT_API_KEY,
      rateLimit: config.LEADCONDUIT_RATE_LIMIT,
      backoffMs: config.LEADCONDUIT_RETRY_BACKOFF_MS,
      metrics,
      logger,
    }),
  closeClient: (client) => client.close(),
});

export default leadconduitPlugin;
