import { defineCrmPlugin, HttpClient, headerAuth, RateLimiter } from '@crmsync/core';
import { deals, organizations, persons } from './entities.js';

/**
 * Pipedrive (API v2) in declarations: the entities say how each list pages, filters and
 * reports deletions; the plugin says how to authenticate and how fast to go.
 */
export const pipedrivePlugin = defineCrmPlugin({
  name: 'pipedriveexample',
  displayName: 'Pipedrive (example)',
  kind: 'api',
  config: {
    PIPEDRIVE_API_TOKEN: { type: 'secret', required: true, description: 'Personal API token' },
    PIPEDRIVE_BASE_URL: {
      type: 'url',
      default: 'https://api.pipedrive.com/api/v2',
      description: 'API v2 base URL (`https://<company>.pipedrive.com/api/v2` with OAuth)',
    },
    PIPEDRIVE_BURST_LIMIT: {
      type: 'integer',
      default: 20,
      description: 'Requests per 2 s of your plan (Essential 20 … Enterprise 120)',
    },
  },
  entities: [persons, organizations, deals],
  healthEntity: 'organizations',
  createClient: ({ config, metrics }) =>
    new HttpClient({
      crm: 'pipedriveexample',
      baseUrl: config.PIPEDRIVE_BASE_URL,
      auth: headerAuth('x-api-token', config.PIPEDRIVE_API_TOKEN),
      limiter: new RateLimiter([{ requests: config.PIPEDRIVE_BURST_LIMIT, perMs: 2_000 }]),
      metrics,
      backoffMs: 250, // a 5xx burst clears within the 2 s burst window
      // Seconds left in the burst window, sent on every answer and on the 429.
      onRateLimit: ({ headers }) =>
        Number(headers.get('x-ratelimit-reset') ?? Number.NaN) * 1000 || undefined,
      errorMessage: (body) => (body as { error?: string } | null)?.error,
    }),
  closeClient: (client) => client.options.limiter?.stop() ?? Promise.resolve(),
});

export default pipedrivePlugin;
