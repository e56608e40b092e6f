import { defineCrmPlugin } from '@crmsync/core';
import { CallRailClient } from './client.js';
import { accounts } from './entities/accounts.js';
import { calls } from './entities/calls.js';
import { companies } from './entities/companies.js';
import { formSubmissions } from './entities/form_submissions.js';
import {
  DEFAULT_WIDE_WINDOW_DAYS,
  DEFAULT_WIDE_WINDOW_EVERY_HOURS,
  DEFAULT_WINDOW_DAYS,
} from './window.js';
import { tags } from './entities/tags.js';
import { textMessages } from './entities/text_messages.js';
import { trackers } from './entities/trackers.js';
import { users } from './entities/users.js';
import { createCallRailTransport } from './transport.js';
import { callrailWebhooks } from './webhooks.js';

export {
  CallRailClient,
  type CallRailList,
  type CallRailRecord,
  type CallRailTransport,
} from './client.js';
export { type CallRailTransportOptions, createCallRailTransport } from './transport.js';

const HOUR = 3_600_000;

/**
 * CallRail call tracking, API v3, one account.
 *
 * @example
 * // CALLRAIL_API_KEY=… CALLRAIL_ACCOUNT_ID=ACC… crmsync sync callrail calls --window-days 14
 */
export const callrailPlugin = defineCrmPlugin({
  name: 'callrail',
  displayName: 'CallRail',
  kind: 'api',
  description: 'CallRail calls, form submissions, text messages and account setup (API v3)',
  config: {
    CALLRAIL_API_KEY: {
      description: 'API key (Settings → API keys)',
      type: 'secret',
      required: true,
    },
    CALLRAIL_ACCOUNT_ID: {
      description: 'Account id (ACC…)',
      required: true,
    },
    CALLRAIL_BASE_URL: {
      description: 'API root',
      type: 'url',
      default: 'https://api.callrail.com/v3',
    },
    CALLRAIL_HOURLY_LIMIT: {
      description: 'Requests per hour',
      type: 'integer',
      default: 1000,
    },
    CALLRAIL_DAILY_LIMIT: {
      description: 'Requests per day',
      type: 'integer',
      default: 10_000,
    },
    CALLRAIL_TIMEOUT_MS: {
      env: 'CALLRAIL_TIMEOUT_MS',
      description: 'Per request attempt, until the last byte of the answer',
      type: 'integer',
      default: 30_000,
    },
  },
  options: {
    'window-days': {
      type: 'integer',
      description:
        'Days of event time before the delta start re-read by calls, form submissions and text messages',
      default: DEFAULT_WINDOW_DAYS,
      min: 1,
      max: 90,
    },
    'wide-window-days': {
      type: 'integer',
      description:
        'Days of event time the wide pass re-reads (the first delta of each period), so late edits to older calls arrive',
      default: DEFAULT_WIDE_WINDOW_DAYS,
      min: 1,
      max: 760,
    },
    'wide-window-every-hours': {
      type: 'integer',
      description:
        'Period of the wide pass in hours (default daily, from midnight UTC); 0 turns it off',
      default: DEFAULT_WIDE_WINDOW_EVERY_HOURS,
      min: 0,
      max: 24 * 31,
    },
  },
  entities: [accounts, companies, users, tags, trackers, calls, formSubmissions, textMessages],
  healthEntity: 'accounts',
  createClient: ({ config, logger, metrics }) =>
    new CallRailClient({
      baseUrl: config.CALLRAIL_BASE_URL,
      accountId: config.CALLRAIL_ACCOUNT_ID,
      transport: createCallRailTransport({
        apiKey: config.CALLRAIL_API_KEY,
        baseUrl: `${config.CALLRAIL_BASE_URL}/a/${encodeURIComponent(config.CALLRAIL_ACCOUNT_ID)}`,
        quotas: [
          { limit: config.CALLRAIL_HOURLY_LIMIT, windowMs: HOUR },
          { limit: config.CALLRAIL_DAILY_LIMIT, windowMs: 24 * HOUR },
        ],
        timeoutMs: config.CALLRAIL_TIMEOUT_MS,
        metrics,
        logger: logger.child('crmsync:plugin:callrail:client'),
      }),
    }),
  webhooks: callrailWebhooks,
});

export { callrailSignature, callrailWebhooks } from './webhooks.js';

export default callrailPlugin;
