import { CrmsyncError, defineCrmPlugin, slicesOption } from '@crmsync/core';
import { type SalesforceFlow, SalesforceAuth } from './auth.js';
import { SalesforceClient } from './client.js';
import { accounts, contacts, extraObjects, leads, opportunities } from './entities.js';

export { SalesforceAuth, type SalesforceFlow } from './auth.js';
export { parseLimitInfo, SalesforceClient } from './client.js';
export {
  accounts,
  contacts,
  extraObjects,
  leads,
  opportunities,
  sobjectEntity,
} from './entities.js';
export { parseSalesforceDateTime, soqlDateTime } from './soql.js';

const standard = [leads, contacts, accounts, opportunities];

/**
 * Salesforce over REST `query`/`queryAll` and Bulk API 2.0, on the core HTTP toolkit. Auth
 * by JWT bearer, refresh token or client credentials; the token's `instance_url` is the base.
 */
export const salesforcePlugin = defineCrmPlugin({
  name: 'salesforce',
  displayName: 'Salesforce',
  kind: 'api',
  description: 'Salesforce: leads, contacts, accounts, opportunities and any SObject listed',
  config: {
    SALESFORCE_LOGIN_URL: {
      type: 'url',
      default: 'https://login.salesforce.com',
      description: 'Login host (https://test.salesforce.com for a sandbox, or the My Domain URL)',
    },
    SALESFORCE_CLIENT_ID: {
      type: 'string',
      required: true,
      description: 'Connected app consumer key',
    },
    SALESFORCE_CLIENT_SECRET: {
      type: 'secret',
      description: 'Connected app consumer secret (client-credentials and refresh-token flows)',
    },
    SALESFORCE_REFRESH_TOKEN: {
      type: 'secret',
      description: 'Refresh token (the refresh-token flow)',
    },
    SALESFORCE_USERNAME: {
      type: 'string',
      description: 'User the JWT bearer flow logs in as (with SALESFORCE_PRIVATE_KEY)',
    },
    SALESFORCE_PRIVATE_KEY: {
      type: 'secret',
      description:
        'PKCS#8 PEM RSA private key of the connected app’s certificate (JWT bearer flow)',
    },
    SALESFORCE_BASE_URL: {
      type: 'url',
      description: 'Overrides the token’s instance_url (a proxy); normally unset',
    },
    SALESFORCE_API_VERSION: {
      type: 'string',
      default: '66.0',
      description: 'REST API version (jsforce would default to 50.0: always set one)',
    },
    SALESFORCE_OBJECTS: {
      type: 'string',
      description: 'More SObjects to sync, comma-separated API names (Case,Invoice__c)',
    },
    SALESFORCE_BULK_THRESHOLD: {
      type: 'integer',
      default: 50_000,
      description: 'An initial or full read of at least this many records uses Bulk API 2.0',
    },
    SALESFORCE_BULK_CHUNK: {
      type: 'integer',
      default: 10_000,
      description: 'Records per Bulk API 2.0 result chunk (maxRecords): memory per page',
    },
    SALESFORCE_MAX_CONCURRENT: {
      type: 'integer',
      default: 25,
      description: 'Requests in flight at once (Salesforce refuses more than 25 long-running)',
    },
    SALESFORCE_API_RESERVE: {
      type: 'integer',
      default: 0,
      description: 'Requests of the daily allocation left for other integrations',
    },
  },
  options: {
    slices: { ...slicesOption, default: 4 },
    bulk: {
      type: 'enum',
      choices: ['auto', 'always', 'never'],
      default: 'auto',
      description: 'Bulk API 2.0 for unbounded reads: by record count (auto), always or never',
    },
  },
  entities: standard,
  configureEntities: (config) => [
    ...standard,
    ...extraObjects(config.SALESFORCE_OBJECTS as string | undefined),
  ],
  healthEntity: 'accounts',
  async createClient({ config, metrics, logger, signal }) {
    const clientId = String(config.SALESFORCE_CLIENT_ID);
    const secret = config.SALESFORCE_CLIENT_SECRET as string | undefined;
    let flow: SalesforceFlow;
    if (config.SALESFORCE_USERNAME && config.SALESFORCE_PRIVATE_KEY)
      flow = {
        kind: 'jwt',
        clientId,
        username: String(config.SALESFORCE_USERNAME),
        privateKey: String(config.SALESFORCE_PRIVATE_KEY),
      };
    else if (secret && config.SALESFORCE_REFRESH_TOKEN)
      flow = {
        kind: 'refresh_token',
        clientId,
        clientSecret: secret,
        refreshToken: String(config.SALESFORCE_REFRESH_TOKEN),
      };
    else if (secret) flow = { kind: 'client_credentials', clientId, clientSecret: secret };
    else
      throw new CrmsyncError(
        'config',
        'salesforce is not configured: set SALESFORCE_CLIENT_SECRET (client credentials, or with SALESFORCE_REFRESH_TOKEN), or SALESFORCE_USERNAME and SALESFORCE_PRIVATE_KEY (JWT bearer)',
        { crm: 'salesforce' },
      );
    const auth = new SalesforceAuth(String(config.SALESFORCE_LOGIN_URL), flow);
    await auth.login(signal);
    const instanceUrl = (config.SALESFORCE_BASE_URL as string | undefined) ?? auth.instanceUrl;
    if (!instanceUrl)
      throw new CrmsyncError('auth', 'salesforce: the token answer has no instance_url', {
        crm: 'salesforce',
      });
    return new SalesforceClient({
      instanceUrl,
      apiVersion: String(config.SALESFORCE_API_VERSION),
      auth,
      metrics,
      logger,
      maxConcurrent: Number(config.SALESFORCE_MAX_CONCURRENT),
      reserve: Number(config.SALESFORCE_API_RESERVE),
      bulkThreshold: Number(config.SALESFORCE_BULK_THRESHOLD),
      bulkChunk: Number(config.SALESFORCE_BULK_CHUNK),
    });
  },
  closeClient: (client) => client.close(),
});

export default salesforcePlugin;
