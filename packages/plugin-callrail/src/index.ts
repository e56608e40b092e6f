import {
  CORE_CONTRACT_VERSION,
  defineCrmPlugin,
  InputError,
  type PluginConfigValues,
} from '@crmsync/core';
import { CallRailClient } from './client.js';
import { accounts } from './entities/accounts.js';
import { calls } from './entities/calls.js';
import { companies } from './entities/companies.js';
import { formSubmissions } from './entities/form_submissions.js';
import { DEFAULT_WINDOW_DAYS } from './entities/list.js';
import { tags } from './entities/tags.js';
import { textMessages } from './entities/text_messages.js';
import { trackers } from './entities/trackers.js';
import { users } from './entities/users.js';
import { createCallRailTransport } from './transport.js';

export {
  CallRailClient,
  type CallRailList,
  type CallRailRecord,
  type CallRailTransport,
} from './client.js';
export { type CallRailTransportOptions, createCallRailTransport } from './transport.js';

const HOUR = 3_600_000;

export interface CallRailConfig extends PluginConfigValues {
  CALLRAIL_API_KEY: string;
  CALLRAIL_ACCOUNT_ID: string;
  CALLRAIL_BASE_URL: string;
  CALLRAIL_HOURLY_LIMIT: number;
  CALLRAIL_DAILY_LIMIT: number;
}

function positive(value: unknown, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * CallRail call tracking, API v3, one account.
 *
 * @example
 * // CALLRAIL_API_KEY=… CALLRAIL_ACCOUNT_ID=ACC… crmsync sync callrail calls --window-days 14
 */
export const callrailPlugin = defineCrmPlugin<CallRailClient, CallRailConfig>({
  contractVersion: CORE_CONTRACT_VERSION,
  name: 'callrail',
  displayName: 'CallRail',
  kind: 'api',
  description: 'CallRail calls, form submissions, text messages and account setup (API v3)',
  config: {
    CALLRAIL_API_KEY: {
      env: 'CALLRAIL_API_KEY',
      description: 'API key (Settings → API keys)',
      secret: true,
      required: true,
    },
    CALLRAIL_ACCOUNT_ID: {
      env: 'CALLRAIL_ACCOUNT_ID',
      description: 'Account id (ACC…)',
      required: true,
    },
    CALLRAIL_BASE_URL: {
      env: 'CALLRAIL_BASE_URL',
      description: 'API root',
      type: 'url',
      default: 'https://api.callrail.com/v3',
    },
    CALLRAIL_HOURLY_LIMIT: {
      env: 'CALLRAIL_HOURLY_LIMIT',
      description: 'Requests per hour',
      type: 'integer',
      default: 1000,
    },
    CALLRAIL_DAILY_LIMIT: {
      env: 'CALLRAIL_DAILY_LIMIT',
      description: 'Requests per day',
      type: 'integer',
      default: 10_000,
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
  },
  entities: [accounts, companies, users, tags, trackers, calls, formSubmissions, textMessages],
  createClient({ config, logger, metrics }) {
    if (typeof config.CALLRAIL_API_KEY !== 'string' || config.CALLRAIL_API_KEY === '') {
      throw new InputError('CALLRAIL_API_KEY', 'a CallRail API key');
    }
    if (typeof config.CALLRAIL_ACCOUNT_ID !== 'string' || config.CALLRAIL_ACCOUNT_ID === '') {
      throw new InputError('CALLRAIL_ACCOUNT_ID', 'an account id such as ACC…');
    }
    const baseUrl = String(config.CALLRAIL_BASE_URL || 'https://api.callrail.com/v3');
    return new CallRailClient({
      baseUrl,
      accountId: config.CALLRAIL_ACCOUNT_ID,
      windowDays: DEFAULT_WINDOW_DAYS,
      transport: createCallRailTransport({
        apiKey: config.CALLRAIL_API_KEY,
        baseUrl,
        quotas: [
          { limit: positive(config.CALLRAIL_HOURLY_LIMIT, 1000), windowMs: HOUR },
          { limit: positive(config.CALLRAIL_DAILY_LIMIT, 10_000), windowMs: 24 * HOUR },
        ],
        metrics,
        logger: logger.child('crmsync:plugin:callrail:client'),
      }),
    });
  },
  async health(client, signal) {
    const started = Date.now();
    try {
      await client.get(client.url(null, { per_page: 1 }), signal);
      return { ok: true, latencyMs: Date.now() - started };
    } catch (error) {
      return { ok: false, latencyMs: Date.now() - started, message: (error as Error).message };
    }
  },
});

export default callrailPlugin;
