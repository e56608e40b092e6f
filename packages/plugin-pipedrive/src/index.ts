import { defineCrmPlugin, headerAuth, slicesOption } from '@crmsync/core';
import { PipedriveClient, PipedriveOAuth } from './client.js';
import { activities, deals, organizations, persons, products } from './entities.js';
import { pipedriveWebhooks } from './webhooks.js';

export { PipedriveClient, PipedriveOAuth, readableName } from './client.js';
export { activities, deals, organizations, persons, products } from './entities.js';

/**
 * Pipedrive on API v2: five cursor-paged lists filtered by `update_time`, deletions flagged
 * `is_deleted`, custom fields named through the `*Fields` endpoints. Auth by API token
 * (`x-api-token`) or OAuth (refresh token; the token's `api_domain` is the base).
 */
export const pipedrivePlugin = defineCrmPlugin({
  name: 'pipedrive',
  displayName: 'Pipedrive',
  kind: 'api',
  description: 'Pipedrive CRM (API v2): persons, organizations, deals, activities, products',
  config: {
    PIPEDRIVE_API_TOKEN: {
      type: 'secret',
      required: true,
      group: 'token',
      description: 'Personal API token (sent as x-api-token)',
    },
    PIPEDRIVE_CLIENT_ID: {
      type: 'string',
      required: true,
      group: 'oauth',
      description: 'OAuth app client id',
    },
    PIPEDRIVE_CLIENT_SECRET: {
      type: 'secret',
      required: true,
      group: 'oauth',
      description: 'OAuth app client secret',
    },
    PIPEDRIVE_REFRESH_TOKEN: {
      type: 'secret',
      required: true,
      group: 'oauth',
      description: 'OAuth refresh token (dies after 60 days unused)',
    },
    PIPEDRIVE_OAUTH_TOKEN_URL: {
      type: 'url',
      default: 'https://oauth.pipedrive.com/oauth/token',
      description: 'OAuth token endpoint',
    },
    PIPEDRIVE_BASE_URL: {
      type: 'url',
      default: 'https://api.pipedrive.com/api/v2',
      description: 'API v2 base URL with an API token (with OAuth the token’s api_domain is used)',
    },
    PIPEDRIVE_BURST_LIMIT: {
      type: 'integer',
      description:
        'Requests per 2 s of your plan: API token 20/40/80/100/120 (Essential … Enterprise), OAuth 80/160/320/400/480. Default: the lowest for the token kind',
    },
    PIPEDRIVE_DAILY_TOKENS: {
      type: 'integer',
      description:
        'The company’s daily API token budget, to spread reads under it (a list call costs 10)',
    },
  },
  options: { slices: { ...slicesOption, default: 4 } },
  entities: [persons, organizations, deals, activities, products],
  healthEntity: 'organizations',
  async createClient({ config, metrics, logger, signal }) {
    const token = config.PIPEDRIVE_API_TOKEN as string | undefined;
    const common = {
      metrics,
      logger,
      ...(config.PIPEDRIVE_DAILY_TOKENS !== undefined && {
        dailyTokens: Number(config.PIPEDRIVE_DAILY_TOKENS),
      }),
    };
    if (token)
      return new PipedriveClient({
        ...common,
        baseUrl: config.PIPEDRIVE_BASE_URL,
        auth: headerAuth('x-api-token', token),
        burstLimit: Number(config.PIPEDRIVE_BURST_LIMIT ?? 20),
      });
    const oauth = new PipedriveOAuth({
      tokenUrl: config.PIPEDRIVE_OAUTH_TOKEN_URL,
      clientId: String(config.PIPEDRIVE_CLIENT_ID),
      clientSecret: String(config.PIPEDRIVE_CLIENT_SECRET),
      refreshToken: String(config.PIPEDRIVE_REFRESH_TOKEN),
    });
    // The first exchange says which host (api_domain) serves this company.
    await oauth.exchange(signal);
    return new PipedriveClient({
      ...common,
      baseUrl: oauth.apiDomain ? `${oauth.apiDomain}/api/v2` : config.PIPEDRIVE_BASE_URL,
      auth: oauth,
      burstLimit: Number(config.PIPEDRIVE_BURST_LIMIT ?? 80),
    });
  },
  closeClient: (client) => client.close(),
  webhooks: pipedriveWebhooks,
});

export { pipedriveWebhooks } from './webhooks.js';

export default pipedrivePlugin;
