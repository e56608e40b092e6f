import { randomBytes } from 'node:crypto';
import { FakeApi, FakeClock, type FakeRequest, formBody, ok, reply } from '@crmsync/core/fake-api';
import { type BulkTiming, mountBulkRoutes } from './bulk-api.js';
import { zohoError } from './errors.js';
import { ZohoLimits } from './limits.js';
import { FakeZohoOrg } from './org.js';
import { mountReadRoutes } from './records-api.js';
import { mountWatchRoutes } from './watch-api.js';
import { mountWriteRoutes } from './writes-api.js';

export const STANDARD_MODULES = ['Deals', 'Contacts', 'Accounts', 'Leads'] as const;

export interface FakeZohoOptions {
  /** Records each module starts with, dated over the past 90 days. Default 0. */
  size?: number;
  /** Modules beyond the four standard ones (custom modules). */
  modules?: string[];
  /** Concurrent requests allowed (the edition's cap; Standard 10). */
  concurrency?: number;
  /** Concurrent COQL requests allowed (10). */
  subConcurrency?: number;
  /** API credits per rolling 24 h (Standard: 50,000 + 250 per user). */
  dailyCredits?: number;
  /** Time each API request takes, in ms (holds its concurrency slot meanwhile). */
  latencyMs?: number;
  /** The org's UTC offset in minutes, for the times Zoho writes. Default 330 (+05:30). */
  offsetMinutes?: number;
  /** Records a mass update job works off per second of the fake's clock. Default 1,000. */
  massUpdateRate?: number;
  /**
   * Access tokens (token → expiry ms) this fake accepts: pass another fake's `tokens` to make
   * the two the API hosts of one accounts server (an org on another data centre).
   */
  tokens?: Map<string, number>;
  /** Bulk read jobs: time queued before exporting (default 2 s) and rows exported per second (default 50,000). */
  bulk?: Partial<BulkTiming>;
}

export const FAKE_CLIENT = {
  clientId: '1000.FAKEZOHOCLIENTID',
  clientSecret: 'fake-zoho-client-secret',
  refreshToken: '1000.fake-zoho-refresh-token',
};

/**
 * Zoho CRM API v8 on the fake-API kit, with its accounts server on the same port:
 *
 * - `POST /oauth/v2/token` (refresh-token grant) answers `{access_token, api_domain,
 *   token_type, expires_in: 3600}`; a bad refresh token or client answers HTTP 200 with
 *   `{error: 'invalid_code' | 'invalid_client'}`, as Zoho's accounts server does.
 * - every API call needs `Authorization: Zoho-oauthtoken <token>`: a `Bearer` header, an
 *   unknown or expired token answers 401 `INVALID_TOKEN`, no header 401
 *   `AUTHENTICATION_FAILURE`.
 * - records, deleted records, fields metadata, COQL, writes and mass updates (see
 *   records-api.ts and writes-api.ts), behind the concurrency cap and daily credits.
 */
export async function startFakeZoho(options: FakeZohoOptions = {}) {
  const tokens = options.tokens ?? new Map<string, number>();
  const clock = new FakeClock();
  const api: FakeApi = new FakeApi({
    clock,
    name: 'zoho',
    auth: {
      kind: 'header',
      name: 'authorization',
      value: (credential: string): boolean => {
        const token = /^Zoho-oauthtoken (.+)$/.exec(credential)?.[1];
        const expires = token === undefined ? undefined : tokens.get(token);
        return expires !== undefined && expires > clock.now();
      },
      reject: (_request, credential) =>
        credential === undefined
          ? reply(401, zohoError('AUTHENTICATION_FAILURE', 'Authentication failed'))
          : reply(401, zohoError('INVALID_TOKEN', 'invalid oauth token')),
    },
    notFound: () =>
      reply(
        404,
        zohoError(
          'INVALID_URL_PATTERN',
          'Please check if the URL trying to access is a correct one',
        ),
      ),
    faultBody: (status) =>
      status === 429
        ? zohoError(
            'TOO_MANY_REQUESTS',
            'You have exceeded the concurrency limit for your edition. Please try again later.',
          )
        : zohoError('INTERNAL_ERROR', 'Internal server error occurred.'),
  });
  const org = new FakeZohoOrg(api.clock, options.offsetMinutes ?? 330);
  for (const name of [...STANDARD_MODULES, ...(options.modules ?? [])])
    org.addModule(name, options.size ?? 0);
  const limits = new ZohoLimits(api.clock, {
    concurrency: options.concurrency ?? 10,
    subConcurrency: options.subConcurrency ?? 10,
    dailyCredits: options.dailyCredits ?? 100_000,
    latencyMs: options.latencyMs ?? 0,
  });
  const state = {
    apiDomain: '',
    massUpdateRate: options.massUpdateRate ?? 1_000,
    tokenRequests: 0,
  };

  /** Mints an access token valid for `ttlMs` (Zoho: one hour). */
  const issueToken = (ttlMs = 3_600_000) => {
    const token = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
    tokens.set(token, api.clock.now() + ttlMs);
    return token;
  };

  api.post(
    '/oauth/v2/token',
    (request: FakeRequest) => {
      state.tokenRequests++;
      // Zoho takes the parameters in the query string or a form body.
      const form = formBody(request);
      const param = (name: string) => request.query.get(name) ?? form.get(name);
      if (param('grant_type') !== 'refresh_token') return ok({ error: 'unsupported_grant_type' });
      if (
        param('client_id') !== FAKE_CLIENT.clientId ||
        param('client_secret') !== FAKE_CLIENT.clientSecret
      )
        return ok({ error: 'invalid_client' });
      if (param('refresh_token') !== FAKE_CLIENT.refreshToken) return ok({ error: 'invalid_code' });
      return ok({
        access_token: issueToken(),
        scope: 'ZohoCRM.modules.ALL ZohoCRM.settings.fields.READ ZohoCRM.bulk.ALL',
        api_domain: state.apiDomain,
        token_type: 'Bearer',
        expires_in: 3600,
      });
    },
    { auth: false },
  );

  // Before the records routes: `/crm/v8/:module/:id` would take `actions/watch`.
  const watches = mountWatchRoutes(api, org, limits);
  mountReadRoutes(api, org, limits);
  const jobs = mountWriteRoutes(api, org, limits, () => state.massUpdateRate);
  const bulk: BulkTiming = { queueMs: 2_000, rowsPerSecond: 50_000, ...options.bulk };
  const bulkJobs = mountBulkRoutes(api, org, limits, () => bulk);

  const url = await api.listen();
  state.apiDomain = url;
  return {
    api,
    org,
    limits,
    jobs,
    bulkJobs,
    bulk,
    /** The org's notification channels (`actions/watch`), one entry per channel and module. */
    watches,
    /** Accounts server and API on one port; the token's `api_domain` names it. */
    url,
    client: FAKE_CLIENT,
    issueToken,
    /** Every access token expires now (the next call answers 401 INVALID_TOKEN). */
    expireTokens: () => {
      for (const token of tokens.keys()) tokens.set(token, 0);
    },
    /** The `api_domain` the token endpoint answers (another data centre's host). */
    setApiDomain: (domain: string) => {
      state.apiDomain = domain;
    },
    setMassUpdateRate: (perSecond: number) => {
      state.massUpdateRate = perSecond;
    },
    tokenRequests: () => state.tokenRequests,
    tokens,
    close: () => api.close(),
  };
}

export type FakeZoho = Awaited<ReturnType<typeof startFakeZoho>>;
