import { defineCrmPlugin, InputError } from '@crmsync/core';
import { MarketSharpClient } from './client.js';
import { type MarketSharpRun, marketsharpEntities } from './entities.js';
import { assertTimeZone } from './timezone.js';

export { MarketSharpClient, type MarketSharpClientOptions } from './client.js';
export { type MarketSharpRun, marketsharpEntity } from './entities.js';
export { marketsharpAuthorization, marketsharpSignature } from './hmac.js';
export {
  type ODataPage,
  type ODataRecord,
  readAtom,
  readJsonVerbose,
  ValueReader,
} from './odata.js';
export { ENTITY_SETS, type EntitySetSpec, entitySet } from './schema.js';

/**
 * MarketSharp through its OData v2 service (WCF Data Services), every request signed with
 * the per-request HMAC header.
 *
 * @example
 * // MARKETSHARP_COMPANY_ID=1234 MARKETSHARP_USER_KEY=… MARKETSHARP_SECRET_KEY=… MARKETSHARP_TIMEZONE=America/Chicago
 * crmsync sync marketsharp activities
 */
export const marketsharpPlugin = defineCrmPlugin({
  name: 'marketsharp',
  displayName: 'MarketSharp',
  kind: 'api',
  description:
    'MarketSharp OData v2 (WCF Data Services) entity sets, signed per request with HMAC-SHA256',
  config: {
    MARKETSHARP_COMPANY_ID: {
      description: 'MarketSharp company id (first part of the signed header)',
      required: true,
    },
    MARKETSHARP_USER_KEY: { description: 'API user key', type: 'secret', required: true },
    MARKETSHARP_SECRET_KEY: {
      description: 'API secret key, base64 as MarketSharp issues it',
      type: 'secret',
      required: true,
    },
    MARKETSHARP_BASE_URL: {
      description: 'OData service root',
      type: 'url',
      default: 'https://api4.marketsharpm.com/WcfDataService.svc',
    },
    MARKETSHARP_TIMEZONE: {
      description: 'IANA time zone the service writes its naive lastUpdate and other DateTimes in',
      default: 'UTC',
    },
    MARKETSHARP_FORMAT: {
      description:
        "`json` (JSON verbose, the default) or `atom` (the service's own default payload)",
      default: 'json',
    },
    MARKETSHARP_RETRY_WAIT_MS: {
      description: 'Wait before retrying a 503 without Retry-After, doubled per attempt',
      type: 'integer',
      default: 10_000,
    },
    MARKETSHARP_TIMEOUT_MS: {
      description: 'Per request attempt, to the last byte',
      type: 'integer',
      default: 60_000,
    },
  },
  entities: marketsharpEntities,
  healthEntity: 'companies',
  createClient: ({ config, metrics, logger }): MarketSharpRun => {
    const format = config.MARKETSHARP_FORMAT;
    if (format !== 'json' && format !== 'atom')
      throw new InputError('MARKETSHARP_FORMAT', '`json` or `atom`', format);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(config.MARKETSHARP_SECRET_KEY))
      throw new InputError('MARKETSHARP_SECRET_KEY', 'a base64 secret as MarketSharp issues it');
    return {
      timeZone: assertTimeZone(config.MARKETSHARP_TIMEZONE),
      client: new MarketSharpClient({
        baseUrl: config.MARKETSHARP_BASE_URL,
        companyId: config.MARKETSHARP_COMPANY_ID,
        userKey: config.MARKETSHARP_USER_KEY,
        secretKey: config.MARKETSHARP_SECRET_KEY,
        format,
        metrics,
        logger,
        retryWaitMs: config.MARKETSHARP_RETRY_WAIT_MS,
        timeoutMs: config.MARKETSHARP_TIMEOUT_MS,
      }),
    };
  },
  closeClient: (run) => run.client.close(),
});

export default marketsharpPlugin;
