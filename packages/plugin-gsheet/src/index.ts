import { type CrmPlugin, defineCrmPlugin, InputError } from '@crmsync/core';
import { createTokenSource, type GoogleCredentials } from './auth.js';
import { SheetsClient } from './client.js';
import { tabEntity } from './entities/tab.js';
import { DRIVE_METADATA_SCOPE, parseServiceAccount, SHEETS_READONLY_SCOPE } from './jwt.js';
import { parseTabs, type TabConfig } from './tabs.js';
import { createGoogleTransport, postForm } from './transport.js';

export {
  createTokenSource,
  type GoogleCredentials,
  type GoogleTokenSource,
  googleAuth,
} from './auth.js';
export { type GoogleTransport, type SheetRow, SheetsClient } from './client.js';
export { parseServiceAccount, signServiceAccountJwt } from './jwt.js';
export { DEFAULT_TABS, fieldNames, normalizeHeader, parseTabs, type TabConfig } from './tabs.js';
export { createGoogleTransport, type GoogleTransportOptions } from './transport.js';

interface CredentialSettings {
  /** JSON text, or the object the config layer parsed from it. */
  GSHEET_SERVICE_ACCOUNT_JSON?: unknown;
  GSHEET_CLIENT_ID?: string | undefined;
  GSHEET_CLIENT_SECRET?: string | undefined;
  GSHEET_REFRESH_TOKEN?: string | undefined;
}

function credentials(config: CredentialSettings): GoogleCredentials {
  if (config.GSHEET_SERVICE_ACCOUNT_JSON) {
    return {
      kind: 'service-account',
      key: parseServiceAccount(config.GSHEET_SERVICE_ACCOUNT_JSON),
      scopes: [SHEETS_READONLY_SCOPE, DRIVE_METADATA_SCOPE],
    };
  }
  const {
    GSHEET_CLIENT_ID: clientId,
    GSHEET_CLIENT_SECRET: clientSecret,
    GSHEET_REFRESH_TOKEN: refreshToken,
  } = config;
  if (clientId && clientSecret && refreshToken) {
    return { kind: 'oauth-refresh', clientId, clientSecret, refreshToken };
  }
  throw new InputError(
    'GSHEET_SERVICE_ACCOUNT_JSON',
    'a service-account key, or GSHEET_CLIENT_ID + GSHEET_CLIENT_SECRET + GSHEET_REFRESH_TOKEN',
  );
}

/**
 * Google Sheets tabs as entities. `tabs` defaults to `GSHEET_TABS` from the environment, or
 * the legacy marketing leads and spends tabs.
 *
 * @example
 * const plugin = createGsheetPlugin([{ entity: 'leads', spreadsheetId: '1FRK…', range: 'Leads!A:Z', keyColumn: 'lead_id' }]);
 */
export function createGsheetPlugin(
  tabs: TabConfig[] = parseTabs(process.env.GSHEET_TABS),
): CrmPlugin<SheetsClient> {
  return defineCrmPlugin({
    name: 'gsheet',
    displayName: 'Google Sheets',
    kind: 'file',
    description: 'Configured Google Sheets tabs, read through the Sheets v4 values API',
    // A tab has no change filter: every run re-reads it; Drive modifiedTime skips unchanged files.
    deltaOverlapMs: 5 * 60_000,
    config: {
      GSHEET_SERVICE_ACCOUNT_JSON: {
        description: 'Service-account key file (JSON); share the sheets with its client_email',
        type: 'json',
        secret: true,
        required: true,
        group: 'service-account',
      },
      GSHEET_CLIENT_ID: {
        description: 'OAuth client id',
        required: true,
        group: 'oauth',
      },
      GSHEET_CLIENT_SECRET: {
        description: 'OAuth client secret',
        secret: true,
        required: true,
        group: 'oauth',
      },
      GSHEET_REFRESH_TOKEN: {
        description: 'OAuth refresh token',
        secret: true,
        required: true,
        group: 'oauth',
      },
      GSHEET_TABS: {
        description: 'JSON array of {entity, spreadsheetId, range, keyColumn?}',
        type: 'json',
      },
      GSHEET_BASE_URL: {
        description: 'Sheets API root',
        type: 'url',
        default: 'https://sheets.googleapis.com',
      },
      GSHEET_DRIVE_BASE_URL: {
        description: 'Drive API root',
        type: 'url',
        default: 'https://www.googleapis.com',
      },
      GSHEET_TOKEN_URL: {
        description: 'OAuth token endpoint (also the JWT audience)',
        type: 'url',
        default: 'https://oauth2.googleapis.com/token',
      },
      GSHEET_READS_PER_MINUTE: {
        description:
          'Reads per minute of the Google user, shared by every process on the crmsync database',
        type: 'integer',
        default: 60,
      },
      GSHEET_TIMEOUT_MS: {
        description: 'Per request attempt, until the last byte of the answer',
        type: 'integer',
        default: 30_000,
      },
    },
    entities: tabs.map(tabEntity),
    configureEntities: (config) =>
      parseTabs(config.GSHEET_TABS ?? process.env.GSHEET_TABS).map(tabEntity),
    createClient({ config, logger, metrics, requestBudgets }) {
      const who = credentials(config);
      const tokens = createTokenSource(who, config.GSHEET_TOKEN_URL, postForm);
      const perMinute = config.GSHEET_READS_PER_MINUTE;
      const { GSHEET_BASE_URL: baseUrl, GSHEET_DRIVE_BASE_URL: driveBaseUrl } = config;
      const timeoutMs = config.GSHEET_TIMEOUT_MS;
      return new SheetsClient({
        baseUrl,
        driveBaseUrl,
        transport: createGoogleTransport({
          tokens,
          baseUrl,
          driveBaseUrl,
          quotas: [
            {
              requests: perMinute > 0 ? perMinute : 60,
              perMs: 60_000,
            },
          ],
          ...(timeoutMs > 0 && { timeoutMs }),
          // Google counts the read quota per user: every process reading as this one shares it.
          ...(requestBudgets && {
            shared: {
              budgets: requestBudgets,
              key: `gsheet:reads:${who.kind === 'service-account' ? who.key.client_email : who.clientId}`,
            },
          }),
          metrics,
          logger: logger.child('crmsync:plugin:gsheet:client'),
        }),
      });
    },
    // Drive's modifiedTime of the first tab's file, not the default probe's one-record read: a
    // tab is read as one values range, the whole tab, and a plugin may run with no tab yet.
    async health(client, signal) {
      const started = Date.now();
      const first = tabs[0];
      try {
        if (first) await client.modifiedTime(first.spreadsheetId, signal);
        return { ok: true, latencyMs: Date.now() - started };
      } catch (error) {
        return { ok: false, latencyMs: Date.now() - started, message: (error as Error).message };
      }
    },
  });
}

export const gsheetPlugin = createGsheetPlugin();
export default gsheetPlugin;
