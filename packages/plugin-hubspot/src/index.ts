import { createHash } from 'node:crypto';
import {
  bearerAuth,
  CrmsyncError,
  defineCrmPlugin,
  type EntityDefinition,
  oauthRefreshAuth,
} from '@crmsync/core';
import { HubspotClient } from './client.js';
import { setDeveloperApp } from './subscriptions.js';
import { appointments } from './entities/appointments.js';
import { associations } from './entities/associations.js';
import { companies } from './entities/companies.js';
import { contacts } from './entities/contacts.js';
import { customObjectEntity, parseCustomObjects } from './entities/custom.js';
import { deals } from './entities/deals.js';
import { meetings } from './entities/meetings.js';
import { owners } from './entities/owners.js';
import { hubspotWebhooks } from './webhooks.js';

export { type HubspotClientOptions, type HubspotObject, HubspotClient } from './client.js';
export { parseCustomObjects } from './entities/custom.js';
export { HubspotRateLimiter } from './rate-limit.js';
export { hubspotSignatureV3, hubspotWebhooks, parseHubspotEvents } from './webhooks.js';

const DEFAULT_BASE_URL = 'https://api.hubapi.com';

// biome-ignore lint/suspicious/noExplicitAny: entities differ in their raw record type
const STANDARD: EntityDefinition<HubspotClient, any>[] = [
  contacts,
  companies,
  deals,
  owners,
  appointments,
  meetings,
  associations,
];

// Credentials of the two groups are each optional; a blank one counts as unset.
const text = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);

/**
 * HubSpot CRM: contacts, companies, deals, owners, appointments (0-421), meetings,
 * associations and configured custom objects, with a private-app token or an OAuth app.
 */
export const hubspotPlugin = defineCrmPlugin({
  name: 'hubspot',
  displayName: 'HubSpot',
  kind: 'api',
  description: 'HubSpot CRM v3 objects, search and v4 associations',
  config: {
    HUBSPOT_APP_ID: {
      description: 'Your developer app’s id, for `crmsync hooks` (its webhook subscriptions)',
    },
    HUBSPOT_DEVELOPER_API_KEY: {
      description: 'Developer API key of the app’s developer account, for `crmsync hooks`',
      type: 'secret',
    },
    HUBSPOT_ACCESS_TOKEN: {
      description: 'Private-app access token (pat-…), sent as Authorization: Bearer',
      type: 'secret',
      required: true,
      group: 'private-app',
    },
    HUBSPOT_CLIENT_ID: {
      description: 'OAuth app client id',
      required: true,
      group: 'oauth',
    },
    HUBSPOT_CLIENT_SECRET: {
      description: 'OAuth app client secret',
      type: 'secret',
      required: true,
      group: 'oauth',
    },
    HUBSPOT_REFRESH_TOKEN: {
      description: 'OAuth refresh token of the installing account',
      type: 'secret',
      required: true,
      group: 'oauth',
    },
    HUBSPOT_BASE_URL: {
      description: 'API base URL',
      type: 'url',
      default: DEFAULT_BASE_URL,
    },
    HUBSPOT_RATE_LIMIT: {
      description:
        'Requests per rolling 10 s of your tier (100 Free/Starter, 190 Pro/Enterprise, 110 OAuth apps); 0 = no client-side limit',
      type: 'integer',
      default: 100,
    },
    HUBSPOT_SEARCH_RATE_LIMIT: {
      description: 'Search requests per second (HubSpot allows 5)',
      type: 'integer',
      default: 5,
    },
    HUBSPOT_CUSTOM_OBJECTS: {
      description: 'Custom objects to sync: 2-123456:projects[:prop|prop],…',
    },
  },
  options: {
    'skip-archived': {
      type: 'boolean',
      description: 'Skip the pass over archived records (no soft deletes this run)',
      default: false,
    },
  },
  entities: STANDARD,
  healthEntity: 'owners',
  configureEntities(config) {
    return [
      ...STANDARD,
      ...parseCustomObjects(config.HUBSPOT_CUSTOM_OBJECTS).map(customObjectEntity),
    ];
  },
  createClient({ config, logger, metrics }) {
    const baseUrl = config.HUBSPOT_BASE_URL;
    const token = text(config.HUBSPOT_ACCESS_TOKEN);
    const clientId = text(config.HUBSPOT_CLIENT_ID);
    const clientSecret = text(config.HUBSPOT_CLIENT_SECRET);
    const refreshToken = text(config.HUBSPOT_REFRESH_TOKEN);
    let auth: ReturnType<typeof bearerAuth>;
    if (token) auth = bearerAuth(token);
    else if (clientId && clientSecret && refreshToken)
      auth = oauthRefreshAuth({
        tokenUrl: `${baseUrl.replace(/\/+$/, '')}/oauth/v1/token`,
        clientId,
        clientSecret,
        refreshToken,
      });
    else
      throw new CrmsyncError(
        'config',
        'hubspot: set HUBSPOT_ACCESS_TOKEN (private app) or HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET and HUBSPOT_REFRESH_TOKEN (OAuth app)',
        { crm: 'hubspot' },
      );
    const account = createHash('sha256')
      .update(`${baseUrl}|${token ?? clientId ?? ''}`)
      .digest('hex')
      .slice(0, 16);
    const client = new HubspotClient({
      baseUrl,
      account,
      auth,
      metrics,
      logger: logger.child('crmsync:plugin:hubspot:client'),
      rateLimit: config.HUBSPOT_RATE_LIMIT,
      searchRateLimit: config.HUBSPOT_SEARCH_RATE_LIMIT,
    });
    const appId = text(config.HUBSPOT_APP_ID);
    const apiKey = text(config.HUBSPOT_DEVELOPER_API_KEY);
    if (appId && apiKey) setDeveloperApp(client, { baseUrl, appId, apiKey });
    return client;
  },
  closeClient: (client) => client.close(),
  webhooks: hubspotWebhooks,
});

export default hubspotPlugin;
