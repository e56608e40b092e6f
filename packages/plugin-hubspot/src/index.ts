import { createHash } from 'node:crypto';
import {
  bearerAuth,
  CORE_CONTRACT_VERSION,
  CrmsyncError,
  defineCrmPlugin,
  type EntityDefinition,
  oauthRefreshAuth,
  type PluginConfigValues,
} from '@crmsync/core';
import { HubspotClient } from './client.js';
import { appointments } from './entities/appointments.js';
import { associations } from './entities/associations.js';
import { companies } from './entities/companies.js';
import { contacts } from './entities/contacts.js';
import { customObjectEntity, parseCustomObjects } from './entities/custom.js';
import { deals } from './entities/deals.js';
import { meetings } from './entities/meetings.js';
import { owners } from './entities/owners.js';

export { type HubspotClientOptions, type HubspotObject, HubspotClient } from './client.js';
export { parseCustomObjects } from './entities/custom.js';
export { HubspotRateLimiter } from './rate-limit.js';

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

const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const count = (v: unknown, fallback: number) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;

/**
 * HubSpot CRM: contacts, companies, deals, owners, appointments (0-421), meetings,
 * associations and configured custom objects, with a private-app token or an OAuth app.
 */
export const hubspotPlugin = defineCrmPlugin<HubspotClient>({
  contractVersion: CORE_CONTRACT_VERSION,
  name: 'hubspot',
  displayName: 'HubSpot',
  kind: 'api',
  description: 'HubSpot CRM v3 objects, search and v4 associations',
  config: {
    HUBSPOT_ACCESS_TOKEN: {
      env: 'HUBSPOT_ACCESS_TOKEN',
      description: 'Private-app access token (pat-…), sent as Authorization: Bearer',
      secret: true,
      required: true,
      group: 'private-app',
    },
    HUBSPOT_CLIENT_ID: {
      env: 'HUBSPOT_CLIENT_ID',
      description: 'OAuth app client id',
      required: true,
      group: 'oauth',
    },
    HUBSPOT_CLIENT_SECRET: {
      env: 'HUBSPOT_CLIENT_SECRET',
      description: 'OAuth app client secret',
      secret: true,
      required: true,
      group: 'oauth',
    },
    HUBSPOT_REFRESH_TOKEN: {
      env: 'HUBSPOT_REFRESH_TOKEN',
      description: 'OAuth refresh token of the installing account',
      secret: true,
      required: true,
      group: 'oauth',
    },
    HUBSPOT_BASE_URL: {
      env: 'HUBSPOT_BASE_URL',
      description: 'API base URL',
      type: 'url',
      default: DEFAULT_BASE_URL,
    },
    HUBSPOT_RATE_LIMIT: {
      env: 'HUBSPOT_RATE_LIMIT',
      description:
        'Requests per rolling 10 s of your tier (100 Free/Starter, 190 Pro/Enterprise, 110 OAuth apps); 0 = no client-side limit',
      type: 'integer',
      default: 100,
    },
    HUBSPOT_SEARCH_RATE_LIMIT: {
      env: 'HUBSPOT_SEARCH_RATE_LIMIT',
      description: 'Search requests per second (HubSpot allows 5)',
      type: 'integer',
      default: 5,
    },
    HUBSPOT_CUSTOM_OBJECTS: {
      env: 'HUBSPOT_CUSTOM_OBJECTS',
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
  configureEntities(config: PluginConfigValues) {
    return [
      ...STANDARD,
      ...parseCustomObjects(config.HUBSPOT_CUSTOM_OBJECTS).map(customObjectEntity),
    ];
  },
  createClient({ config, logger, metrics }) {
    const baseUrl = text(config.HUBSPOT_BASE_URL) ?? DEFAULT_BASE_URL;
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
    return new HubspotClient({
      baseUrl,
      account,
      auth,
      metrics,
      logger: logger.child('crmsync:plugin:hubspot:client'),
      rateLimit: count(config.HUBSPOT_RATE_LIMIT, 100),
      searchRateLimit: count(config.HUBSPOT_SEARCH_RATE_LIMIT, 5),
    });
  },
  closeClient: (client) => client.close(),
  async health(client, signal) {
    const started = performance.now();
    try {
      await client.get('/crm/v3/objects/contacts', { limit: 1 }, signal);
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

export default hubspotPlugin;
