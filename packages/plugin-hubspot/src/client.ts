import {
  type AuthStrategy,
  HttpClient,
  type HttpResponse,
  type Logger,
  type Page,
  type RequestMetrics,
  restPages,
} from '@crmsync/core';
import { type SearchPosition, searchChanged } from './delta-search.js';
import { HubspotRateLimiter } from './rate-limit.js';
import type { HubspotObject } from './types.js';

export type { HubspotObject } from './types.js';

export interface HubspotClientOptions {
  baseUrl: string;
  auth: AuthStrategy;
  metrics: RequestMetrics;
  logger: Logger;
  /** Requests per rolling 10 s (the account's tier); 0 turns our limiter off. Default 100. */
  rateLimit?: number;
  /** Search requests per second; default 5. */
  searchRateLimit?: number;
  /** Results one search query can reach; HubSpot's is 10,000 (a knob for tests). */
  searchCap?: number;
  /** Names the HubSpot account for limiter sharing (a hash of the credential); default the base URL. */
  account?: string;
  /** Base backoff for 5xx retries, in ms. */
  backoffMs?: number;
}

const LIST_MAX = 100;

const limiters = new Map<string, HubspotRateLimiter>();
function accountLimiter(key: string, requests: number, perMs: number): HubspotRateLimiter {
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = new HubspotRateLimiter([{ requests, perMs }]);
    limiters.set(key, limiter);
  }
  return limiter;
}

/**
 * HubSpot CRM v3/v4 over core's HTTP toolkit: bearer or OAuth auth, the 10-secondly rolling
 * limit and the separate 5/s search limit, 429 bodies and `Retry-After` honoured, and
 * `X-HubSpot-RateLimit-Remaining` read so a shared quota slows us down before a 429.
 *
 * @example
 * const client = new HubspotClient({ baseUrl, auth: bearerAuth(token), metrics, logger });
 * for await (const page of client.listPages('contacts', { properties: ['email'], limit: 100, signal })) …
 */
export class HubspotClient {
  readonly http: HttpClient;
  readonly searchCap: number;
  readonly limiter: HubspotRateLimiter | undefined;
  readonly searchLimiter: HubspotRateLimiter | undefined;
  readonly #logger: Logger;

  constructor(options: HubspotClientOptions) {
    const rate = options.rateLimit ?? 100;
    const search = options.searchRateLimit ?? 5;
    // HubSpot counts per account, and the engine makes a client per entity run: runs against
    // the same account share one limiter, so `sync all` does not start each entity with a burst.
    const account = options.account ?? options.baseUrl;
    this.limiter =
      rate > 0 ? accountLimiter(`${account}|general|${rate}`, rate, 10_000) : undefined;
    this.searchLimiter =
      search > 0 ? accountLimiter(`${account}|search|${search}`, search, 1_000) : undefined;
    this.searchCap = options.searchCap ?? 10_000;
    this.#logger = options.logger;
    this.http = new HttpClient({
      crm: 'hubspot',
      baseUrl: options.baseUrl,
      auth: options.auth,
      metrics: options.metrics,
      ...(this.limiter && { limiter: this.limiter }),
      ...(options.backoffMs !== undefined && { backoffMs: options.backoffMs }),
      // A TEN_SECONDLY_ROLLING 429 without Retry-After frees up within a couple of seconds.
      rateLimitBackoffMs: 2_000,
      // A spent DAILY quota does not free up within a run: wait for the next day rather than
      // retry (HttpClient fails at once on a wait this long, with it on the error).
      onRateLimit: ({ body }) => dailyQuotaWaitMs(body),
      errorMessage: hubspotErrorMessage,
    });
  }

  async post<T>(path: string, body: unknown, signal: AbortSignal): Promise<HttpResponse<T>> {
    const res = await this.http.post<T>(path, body, { signal });
    this.#observe(res);
    return res;
  }

  /** Search has its own bucket and its answers carry no rate-limit headers. */
  search<T>(objectType: string, body: unknown, signal: AbortSignal): Promise<HttpResponse<T>> {
    return this.http.post<T>(`/crm/v3/objects/${objectType}/search`, body, {
      signal,
      ...(this.searchLimiter && { limiter: this.searchLimiter }),
    });
  }

  #observe(res: HttpResponse<unknown>) {
    const header = res.headers.get('x-hubspot-ratelimit-remaining');
    if (!this.limiter || header === null) return;
    const remaining = Number(header);
    this.limiter.observe(remaining);
    const max = Number(res.headers.get('x-hubspot-ratelimit-max'));
    if (remaining <= Math.ceil(max * 0.1))
      this.#logger.debug('rate-limit headroom low', { remaining, max });
  }

  /** `GET /crm/v3/objects/{type}` page by page (`after` cursor; no `paging` on the last page). */
  async *listPages(
    objectType: string,
    options: {
      properties: string[];
      limit: number;
      signal: AbortSignal;
      archived?: boolean;
      after?: string;
    },
  ): AsyncGenerator<{ records: HubspotObject[]; after?: string }> {
    const pages = restPages<HubspotObject>(
      this.http,
      {
        path: `/crm/v3/objects/${objectType}`,
        records: 'results',
        pagination: {
          style: 'cursor',
          param: 'after',
          next: 'paging.next.after',
          limitParam: 'limit',
        },
        query: {
          ...(options.properties.length && { properties: options.properties.join(',') }),
          ...(options.archived && { archived: true }),
        },
        onResponse: (res) => this.#observe(res),
      },
      {
        pageSize: Math.min(LIST_MAX, Math.max(1, options.limit)),
        signal: options.signal,
        ...(options.after && { checkpoint: { cursor: options.after } }),
      },
    );
    for await (const { records, checkpoint } of pages)
      yield {
        records,
        ...(typeof checkpoint?.cursor === 'string' && { after: checkpoint.cursor }),
      };
  }

  /** Every record changed in [since, until), each once, past the 10,000 cap (see `searchChanged`). */
  searchChanged(objectType: string, position: SearchPosition): AsyncGenerator<Page<HubspotObject>> {
    return searchChanged(this, objectType, position, this.#logger);
  }

  /**
   * `POST /crm/v3/objects/{type}/batch/read` for up to 100 ids: the records found, and the
   * ids HubSpot reports as not found (207 with `errors[].context.ids`).
   */
  async batchRead(
    objectType: string,
    ids: readonly string[],
    properties: string[],
    signal: AbortSignal,
  ): Promise<{ records: HubspotObject[]; missing: string[] }> {
    if (ids.length === 0) return { records: [], missing: [] };
    const res = await this.post<{
      results?: HubspotObject[];
      errors?: { category?: string; context?: { ids?: string[] } }[];
    }>(
      `/crm/v3/objects/${objectType}/batch/read`,
      { inputs: ids.map((id) => ({ id })), properties },
      signal,
    );
    const missing = (res.body.errors ?? [])
      .filter((e) => e.category === 'OBJECT_NOT_FOUND')
      .flatMap((e) => e.context?.ids ?? []);
    return { records: res.body.results ?? [], missing };
  }

  /** `POST /crm/v4/associations/{from}/{to}/batch/read` for up to 1,000 source ids. */
  async readAssociations(
    from: string,
    to: string,
    ids: string[],
    signal: AbortSignal,
  ): Promise<AssociationResult[]> {
    if (ids.length === 0) return [];
    const res = await this.post<{ results?: AssociationResult[] }>(
      `/crm/v4/associations/${from}/${to}/batch/read`,
      { inputs: ids.map((id) => ({ id })) },
      signal,
    );
    return res.body.results ?? [];
  }

  async close() {
    // The limiters are the account's, shared with later clients: nothing to release.
  }
}

export interface AssociationResult {
  from: { id: string };
  to: Array<{
    toObjectId: number | string;
    associationTypes: Array<{ category: string; typeId: number; label: string | null }>;
  }>;
}

/**
 * How long a 429 of the DAILY policy asks to wait: until the next midnight UTC (HubSpot
 * resets the count at midnight in the account's time zone, which the API does not say; UTC
 * midnight is at most that far off). Undefined for the other policies.
 */
export function dailyQuotaWaitMs(body: unknown, now = Date.now()): number | undefined {
  if (!body || typeof body !== 'object') return undefined;
  if ((body as { policyName?: unknown }).policyName !== 'DAILY') return undefined;
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return next.getTime() - now;
}

/** HubSpot error bodies: `{status:"error", message, category, policyName?}`. */
export function hubspotErrorMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.message !== 'string') return undefined;
  const tag =
    typeof b.policyName === 'string'
      ? b.policyName
      : typeof b.category === 'string'
        ? b.category
        : undefined;
  return tag ? `${b.message} (${tag})` : b.message;
}
