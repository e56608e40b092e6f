import {
  type AuthStrategy,
  CrmsyncError,
  HttpClient,
  type Logger,
  RateLimiter,
  type RequestMetrics,
} from '@crmsync/core';

/** The `*Fields` endpoint that names each entity's custom fields. */
export const FIELDS_ENDPOINT = {
  persons: '/personFields',
  organizations: '/organizationFields',
  deals: '/dealFields',
  activities: '/activityFields',
  products: '/productFields',
} as const;
export type PipedriveEntityName = keyof typeof FIELDS_ENDPOINT;

interface FieldMeta {
  field_code: string;
  field_name: string;
  is_custom_field: boolean;
}

/** What an OAuth token exchange answers (`POST https://oauth.pipedrive.com/oauth/token`). */
interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  api_domain?: string;
}

export interface OAuthSettings {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/**
 * Pipedrive's OAuth refresh flow: the client id and secret go in `Authorization: Basic`, the
 * answer carries `expires_in` and the company's `api_domain` (the base every call must use),
 * and each use may rotate the refresh token (kept). Refreshes a minute before expiry and once
 * after a 401.
 */
export class PipedriveOAuth implements AuthStrategy {
  #token: { value: string; expiresAt: number } | undefined;
  #refreshToken: string;
  #inflight: Promise<TokenAnswer> | undefined;
  apiDomain: string | undefined;

  constructor(readonly settings: OAuthSettings) {
    this.#refreshToken = settings.refreshToken;
  }

  /** Exchanges the refresh token; returns the answer (its `api_domain` is the API's host). */
  exchange(signal: AbortSignal): Promise<TokenAnswer> {
    this.#inflight ??= this.#exchange(signal).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #exchange(signal: AbortSignal): Promise<TokenAnswer> {
    const { tokenUrl, clientId, clientSecret } = this.settings;
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    let res: Response;
    try {
      res = await fetch(tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: this.#refreshToken,
        }),
        signal,
      });
    } catch (error) {
      throw new CrmsyncError(
        'transient',
        'pipedrive: the OAuth token endpoint is unreachable',
        { crm: 'pipedrive' },
        { cause: error },
      );
    }
    if (!res.ok)
      throw new CrmsyncError(
        res.status >= 500 ? 'transient' : 'auth',
        `pipedrive: the OAuth token endpoint refused the refresh token (HTTP ${res.status}); re-authorise the app (PIPEDRIVE_REFRESH_TOKEN)`,
        { crm: 'pipedrive', status: res.status },
      );
    const body = (await res.json()) as TokenAnswer;
    if (!body.access_token)
      throw new CrmsyncError('auth', 'pipedrive: the OAuth token answer has no access_token', {
        crm: 'pipedrive',
      });
    if (body.refresh_token) this.#refreshToken = body.refresh_token;
    if (body.api_domain) this.apiDomain = body.api_domain.replace(/\/+$/, '');
    this.#token = {
      value: body.access_token,
      expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000,
    };
    return body;
  }

  async headers(signal: AbortSignal): Promise<Record<string, string>> {
    if (!this.#token || Date.now() > this.#token.expiresAt - 60_000) await this.exchange(signal);
    return { authorization: `Bearer ${this.#token?.value ?? ''}` };
  }

  async refresh(signal: AbortSignal, rejected?: Record<string, string>): Promise<boolean> {
    if (this.#inflight) await this.#inflight;
    const current = this.#token && `Bearer ${this.#token.value}`;
    if (current && rejected?.authorization && rejected.authorization !== current) return true;
    await this.exchange(signal);
    return true;
  }

  secrets(): string[] {
    return [
      this.settings.clientSecret,
      this.#refreshToken,
      ...(this.#token ? [this.#token.value] : []),
    ];
  }
}

export interface PipedriveClientOptions {
  baseUrl: string;
  auth: AuthStrategy;
  /** Requests per rolling 2 s window (the plan's burst limit for this kind of token). */
  burstLimit: number;
  /** The company's daily token budget, if set: list calls cost 10 tokens each. */
  dailyTokens?: number;
  metrics?: RequestMetrics;
  logger?: Logger;
}

/** Limiters by token, shared by the clients of this process that use one. */
const limiters = new Map<string, { limiter: RateLimiter; users: number }>();

/** Pipedrive API v2 over the core HTTP toolkit: auth, burst/daily pacing, field names. */
export class PipedriveClient {
  readonly http: HttpClient;
  readonly limiter: RateLimiter;
  /** The last `x-ratelimit-*` headers seen: how much of the burst window is left. */
  headroom: { limit: number; remaining: number; resetSeconds: number } | undefined;
  readonly #fieldNames = new Map<string, Promise<Map<string, string>>>();

  readonly #limiterKey: string;

  constructor(o: PipedriveClientOptions) {
    // Pipedrive counts the burst window per token and the budget per company, whichever run
    // spends it: every client of one token in this process shares one limiter, so runs back
    // to back (or side by side) stay under the limit together.
    this.#limiterKey = `${o.baseUrl}|${o.auth.secrets()[0] ?? ''}|${o.burstLimit}|${o.dailyTokens ?? ''}`;
    let shared = limiters.get(this.#limiterKey);
    if (!shared) {
      shared = {
        users: 0,
        limiter: new RateLimiter([
          { requests: o.burstLimit, perMs: 2_000 },
          // Each list call costs 10 tokens of the company's daily budget (x-token-cost).
          ...(o.dailyTokens
            ? [{ requests: Math.floor(o.dailyTokens / 10), perMs: 86_400_000 }]
            : []),
        ]),
      };
      limiters.set(this.#limiterKey, shared);
    }
    shared.users++;
    this.limiter = shared.limiter;
    this.http = new HttpClient({
      crm: 'pipedrive',
      baseUrl: o.baseUrl,
      auth: o.auth,
      limiter: this.limiter,
      ...(o.metrics && { metrics: o.metrics }),
      ...(o.logger && { logger: o.logger }),
      backoffMs: 250, // a 5xx burst clears within the 2 s burst window
      // Seconds left in the burst window, sent on every answer and on the 429; else Retry-After.
      onRateLimit: ({ headers }) => {
        const reset = Number(headers.get('x-ratelimit-reset') ?? Number.NaN);
        return Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined;
      },
      errorMessage: (body) => {
        const b = body as { error?: string; error_info?: string } | null;
        return b?.error ? `${b.error}${b.error_info ? ` (${b.error_info})` : ''}` : undefined;
      },
    });
  }

  /** Remembers the burst headroom the answer reports. */
  observe(headers: Headers): void {
    const limit = Number(headers.get('x-ratelimit-limit'));
    const remaining = Number(headers.get('x-ratelimit-remaining'));
    const resetSeconds = Number(headers.get('x-ratelimit-reset'));
    if (Number.isFinite(limit) && Number.isFinite(remaining) && headers.has('x-ratelimit-limit'))
      this.headroom = { limit, remaining, resetSeconds };
  }

  /**
   * Custom field hash → readable name for an entity, from its `*Fields` endpoint (read once
   * per client). A name is the field's label in snake case; one that clashes with a built-in
   * field or another custom field gets the hash's first 8 characters appended.
   */
  customFieldNames(
    entity: PipedriveEntityName,
    taken: ReadonlySet<string>,
    signal: AbortSignal,
  ): Promise<Map<string, string>> {
    let names = this.#fieldNames.get(entity);
    if (!names) {
      names = this.#readFieldNames(entity, taken, signal);
      names.catch(() => this.#fieldNames.delete(entity));
      this.#fieldNames.set(entity, names);
    }
    return names;
  }

  async #readFieldNames(
    entity: PipedriveEntityName,
    taken: ReadonlySet<string>,
    signal: AbortSignal,
  ): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const used = new Set(taken);
    let cursor: string | undefined;
    do {
      const res = await this.http.get<{
        data: FieldMeta[] | null;
        additional_data?: { next_cursor?: string | null } | null;
      }>(FIELDS_ENDPOINT[entity], { query: { limit: 500, cursor }, signal });
      this.observe(res.headers);
      for (const field of res.body.data ?? []) {
        if (!field.is_custom_field) continue;
        let name = readableName(field.field_name) || field.field_code;
        if (used.has(name)) name = `${name}_${field.field_code.slice(0, 8)}`;
        used.add(name);
        names.set(field.field_code, name);
      }
      cursor = res.body.additional_data?.next_cursor ?? undefined;
    } while (cursor);
    return names;
  }

  /**
   * Releases the client. The shared limiter stays (it holds no timer when nothing waits): a
   * run that starts within the window of the last one must still see that one's requests.
   */
  close(): Promise<void> {
    const shared = limiters.get(this.#limiterKey);
    if (shared) shared.users--;
    return Promise.resolve();
  }
}

/** `Customer Tier (2024)` → `customer_tier_2024`. */
export function readableName(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
