import { defineCrmPlugin } from '@crmsync/core';
import { DEFAULT_PAGE_SIZE_PARAM, DEFAULT_RATE_LIMIT, SalesRabbitClient } from './client.js';
import {
  leadStatusActivities,
  leads,
  leadsEntity,
  parseCustomFields,
  users,
} from './entities/entities.js';

export { DEFAULT_PAGE_SIZE_PARAM, DEFAULT_RATE_LIMIT, SalesRabbitClient } from './client.js';
export { parseCustomFields } from './entities/entities.js';
export { headerTime, inferTyped } from './entities/list.js';

/**
 * SalesRabbit door-to-door sales: users, leads (with custom fields) and the status changes of
 * leads, by the `If-Modified-Since` / `If-Status-Modified-Since` request headers.
 *
 * @example
 * // SALESRABBIT_API_TOKEN=… crmsync sync salesrabbit all
 */
export const salesrabbitPlugin = defineCrmPlugin({
  name: 'salesrabbit',
  displayName: 'SalesRabbit',
  kind: 'api',
  description: 'SalesRabbit users, leads and lead status activities',
  config: {
    SALESRABBIT_API_TOKEN: {
      description: 'API token (SalesRabbit dashboard: Integrations → API)',
      type: 'secret',
      required: true,
    },
    SALESRABBIT_BASE_URL: {
      description: 'API root',
      type: 'url',
      default: 'https://api.salesrabbit.com',
    },
    SALESRABBIT_RATE_LIMIT: {
      description: 'Requests per minute the client allows itself (SalesRabbit documents none)',
      type: 'integer',
      default: DEFAULT_RATE_LIMIT,
    },
    SALESRABBIT_PAGE_SIZE_PARAM: {
      description:
        'Name of the page-size query parameter (unconfirmed: perPage, pageSize and limit are all seen)',
      default: DEFAULT_PAGE_SIZE_PARAM,
    },
    SALESRABBIT_CUSTOM_FIELDS: {
      description:
        'JSON object of lead custom field name → type ({"roofAge":"integer"}): declared as typed, validated custom_<name> columns',
      type: 'json',
    },
    SALESRABBIT_RETRY_BACKOFF_MS: {
      description: 'First wait before retrying a 5xx or a dropped connection (doubles each time)',
      type: 'integer',
      default: 500,
    },
  },
  entities: [users, leads, leadStatusActivities],
  configureEntities: (config) => [
    users,
    leadsEntity(parseCustomFields(config.SALESRABBIT_CUSTOM_FIELDS)),
    leadStatusActivities,
  ],
  healthEntity: 'users',
  createClient: ({ config, metrics, logger }) =>
    new SalesRabbitClient({
      baseUrl: config.SALESRABBIT_BASE_URL,
      token: config.SALESRABBIT_API_TOKEN,
      rateLimit: config.SALESRABBIT_RATE_LIMIT,
      pageSizeParam: config.SALESRABBIT_PAGE_SIZE_PARAM,
      backoffMs: config.SALESRABBIT_RETRY_BACKOFF_MS,
      metrics,
      logger,
    }),
  closeClient: (client) => client.close(),
});

export default salesrabbitPlugin;
