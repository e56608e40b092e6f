import { createHash } from 'node:crypto';
import {
  CrmsyncError,
  createRequestMetrics,
  defineCrmPlugin,
  type EntityDefinition,
  type Logger,
  type RequestBudgets,
  type RequestMetrics,
  silentLogger,
} from '@crmsync/core';
import { zohoAuth } from './auth.js';
import { withReadByIds } from './by-ids.js';
import { ZohoClient, type ZohoRecord } from './client.js';
import { accounts } from './entities/accounts.js';
import { contacts } from './entities/contacts.js';
import { deals } from './entities/deals.js';
import { leads } from './entities/leads.js';
import { moduleEntity } from './entities/module.js';
import { zohoWebhooks } from './webhooks.js';
import { writableModule } from './entities/writer.js';
import { ZohoWriter } from './write.js';

export { type ZohoAuth, type ZohoAuthOptions, zohoAuth } from './auth.js';
export { type ZohoListPage, type ZohoRecord, ZohoClient, zohoDateTime } from './client.js';
export { moduleEntity } from './entities/module.js';
export { zohoWebhooks } from './webhooks.js';
export { fieldSpec, moduleSchema, valueProblem, type ZohoField } from './fields.js';
export {
  validateValues,
  ZOHO_READ_BATCH,
  ZOHO_WRITE_BATCH,
  type ZohoUpdate,
  type ZohoWriteResult,
  ZohoWriter,
} from './write.js';

const DEFAULT_BASE_URL = 'https://www.zohoapis.com';
const DEFAULT_ACCOUNTS_URL = 'https://accounts.zoho.com';
const STANDARD_MODULES = new Set(['Deals', 'Contacts', 'Accounts', 'Leads']);

const text = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);

/**
 * `ZOHO_MODULES`: more modules to sync, by API name (`Vendors,Sales_Orders,Projects__c`).
 * The entity is the API name in lower case.
 */
export function parseModules(value: string | undefined): string[] {
  const names = (value ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  for (const name of names)
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name))
      throw new CrmsyncError(
        'config',
        `zoho: ZOHO_MODULES expects module API names separated by commas (like Vendors,Projects__c); got '${name}'`,
        { crm: 'zoho' },
      );
  return [...new Set(names)].filter((n) => !STANDARD_MODULES.has(n));
}

// biome-ignore lint/suspicious/noExplicitAny: entities differ in their raw record type
type ZohoEntity = EntityDefinition<ZohoClient, any>;
const standard = (): ZohoEntity[] => [
  withReadByIds(writableModule(deals(), 'Deals'), 'Deals'),
  withReadByIds(writableModule(contacts(), 'Contacts'), 'Contacts'),
  withReadByIds(writableModule(accounts(), 'Accounts'), 'Accounts'),
  withReadByIds(writableModule(leads(), 'Leads'), 'Leads'),
];

const config = {
  ZOHO_CLIENT_ID: {
    description: 'OAuth client id (a Self Client or server-based app)',
    required: true,
    group: 'oauth',
  },
  ZOHO_CLIENT_SECRET: {
    description: 'OAuth client secret',
    type: 'secret',
    required: true,
    group: 'oauth',
  },
  ZOHO_REFRESH_TOKEN: {
    description: 'OAuth refresh token of the org',
    type: 'secret',
    required: true,
    group: 'oauth',
  },
  ZOHO_ACCESS_TOKEN: {
    description: 'A fixed access token instead of the refresh flow (expires after an hour)',
    type: 'secret',
    required: true,
    group: 'token',
  },
  ZOHO_BASE_URL: {
    description: "API domain of the org's data centre; the token's api_domain replaces it",
    type: 'url',
    default: DEFAULT_BASE_URL,
  },
  ZOHO_ACCOUNTS_URL: {
    description: "Accounts server of the org's data centre (accounts.zoho.eu, .in, …)",
    type: 'url',
    default: DEFAULT_ACCOUNTS_URL,
  },
  ZOHO_MODULES: { description: 'More modules to sync, by API name: Vendors,Projects__c' },
  ZOHO_CONCURRENCY: {
    description:
      'Requests in flight at once: the edition’s cap (Free 5, Standard 10, Professional 15, Enterprise 20, Ultimate 25)',
    type: 'integer',
    default: 10,
  },
  ZOHO_DAILY_CREDITS: {
    description: 'API calls allowed per rolling 24 h by this process (the org’s credits)',
    type: 'integer',
    default: 50_000,
  },
  ZOHO_BULK_THRESHOLD: {
    description:
      'A first full read of a module with at least this many records uses the Bulk Read API; 0 never',
    type: 'integer',
    default: 10_000,
  },
  ZOHO_BULK_POLL_MS: {
    description: 'How often a Bulk Read job is polled, in ms',
    type: 'integer',
    default: 2_000,
  },
} as const;

interface ZohoConfig {
  ZOHO_CLIENT_ID?: string | undefined;
  ZOHO_CLIENT_SECRET?: string | undefined;
  ZOHO_REFRESH_TOKEN?: string | undefined;
  ZOHO_ACCESS_TOKEN?: string | undefined;
  ZOHO_BASE_URL: string;
  ZOHO_ACCOUNTS_URL: string;
  ZOHO_CONCURRENCY: number;
  ZOHO_DAILY_CREDITS: number;
  ZOHO_BULK_THRESHOLD?: number;
  ZOHO_BULK_POLL_MS?: number;
}

/** A client for the org `config` names: OAuth refresh flow, or a fixed access token. */
export function createZohoClient(
  cfg: ZohoConfig,
  context: { metrics?: RequestMetrics; logger?: Logger; requestBudgets?: RequestBudgets } = {},
): ZohoClient {
  const clientId = text(cfg.ZOHO_CLIENT_ID);
  const clientSecret = text(cfg.ZOHO_CLIENT_SECRET);
  const refreshToken = text(cfg.ZOHO_REFRESH_TOKEN);
  const accessToken = text(cfg.ZOHO_ACCESS_TOKEN);
  if (!accessToken && !(clientId && clientSecret && refreshToken))
    throw new CrmsyncError(
      'config',
      'zoho: set ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN (OAuth), or ZOHO_ACCESS_TOKEN',
      { crm: 'zoho' },
    );
  const account = createHash('sha256')
    .update(`${cfg.ZOHO_ACCOUNTS_URL}|${cfg.ZOHO_BASE_URL}|${clientId ?? accessToken ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  return new ZohoClient({
    baseUrl: cfg.ZOHO_BASE_URL,
    auth: zohoAuth({
      accountsUrl: cfg.ZOHO_ACCOUNTS_URL,
      clientId,
      clientSecret,
      refreshToken,
      accessToken,
    }),
    metrics: context.metrics ?? createRequestMetrics(),
    logger: context.logger ?? silentLogger(),
    concurrency: Math.max(1, cfg.ZOHO_CONCURRENCY),
    dailyCredits: Math.max(1, cfg.ZOHO_DAILY_CREDITS),
    bulkThreshold: Math.max(0, cfg.ZOHO_BULK_THRESHOLD ?? 10_000),
    bulkPollMs: Math.max(10, cfg.ZOHO_BULK_POLL_MS ?? 2_000),
    account,
    ...(context.requestBudgets && { requestBudgets: context.requestBudgets }),
  });
}

/**
 * The write client for the org `config` names: `update` (≤ 100 records a PUT, a result per
 * record), `fetchByIds`, `massUpdate` and its status, values checked against the metadata.
 */
export function createZohoWriter(
  cfg: ZohoConfig,
  context: { metrics?: RequestMetrics; logger?: Logger } = {},
): ZohoWriter {
  return new ZohoWriter(createZohoClient(cfg, context));
}

/**
 * Zoho CRM (API v8): deals, contacts, accounts, leads and the modules in `ZOHO_MODULES`, their
 * fields (custom ones included) from the org's metadata, deltas by `If-Modified-Since`,
 * deletions from the recycle bin feed.
 */
export const zohoPlugin = defineCrmPlugin({
  name: 'zoho',
  displayName: 'Zoho CRM',
  kind: 'api',
  description:
    'Zoho CRM API v8: records, fields metadata, If-Modified-Since deltas, deleted records',
  config,
  entities: standard(),
  healthEntity: 'deals',
  configureEntities(cfg) {
    return [
      ...standard(),
      ...parseModules(cfg.ZOHO_MODULES).map((module) =>
        withReadByIds(
          writableModule(moduleEntity({ name: module.toLowerCase(), module }), module),
          module,
        ),
      ),
    ];
  },
  createClient: ({ config: cfg, metrics, logger, requestBudgets }) =>
    createZohoClient(cfg, {
      metrics,
      logger: logger.child('crmsync:plugin:zoho:client'),
      ...(requestBudgets && { requestBudgets }),
    }),
  closeClient: (client) => client.close(),
  webhooks: zohoWebhooks,
});

export type { ZohoRecord as ZohoRawRecord };
export default zohoPlugin;
