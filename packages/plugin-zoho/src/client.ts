import {
  CrmsyncError,
  HttpClient,
  type Logger,
  RateLimiter,
  type RequestBudgets,
  type RequestMetrics,
  SharedRateLimiter,
} from '@crmsync/core';
import type { ZohoAuth } from './auth.js';
import { fieldsResponseSchema, type ZohoField } from './fields.js';

export type ZohoRecord = { id: string; [field: string]: unknown };

export interface ZohoInfo {
  per_page?: number;
  count?: number;
  page?: number;
  more_records?: boolean;
  next_page_token?: string | null;
}

/** One answer of a list: 204 and 304 are empty answers, not errors. */
export interface ZohoListPage {
  status: number;
  data: ZohoRecord[];
  info: ZohoInfo;
}

export interface ZohoClientOptions {
  /** The API domain (`https://www.zohoapis.com`); the token's `api_domain` replaces it. */
  baseUrl: string;
  auth: ZohoAuth;
  metrics?: RequestMetrics;
  logger?: Logger;
  /** Requests in flight at once: the edition's concurrency cap. */
  concurrency: number;
  /** Requests per rolling 24 h the client allows itself (the org's API credits). */
  dailyCredits: number;
  /** Names the org for limiter sharing (a hash of the credential). */
  account: string;
  /**
   * The store's shared request budgets: when given, every request also takes a daily credit
   * from the budget every process on the store shares (`zoho:credits:<account>`), so two
   * workers syncing one org see one day's credits, not one each.
   */
  requestBudgets?: RequestBudgets;
  retries?: number;
  backoffMs?: number;
  /** A first full read of at least this many records uses the Bulk Read API; 0 never. */
  bulkThreshold?: number;
  /** How often a bulk read job is polled, ms. Default 2,000. */
  bulkPollMs?: number;
}

const DAY = 86_400_000;
const limiters = new Map<string, RateLimiter>();
/** Limiters taking credits from a store's budgets, per store (a store stands for its database). */
const sharedLimiters = new WeakMap<RequestBudgets, Map<string, RateLimiter>>();
function orgLimiter(
  options: Pick<ZohoClientOptions, 'account' | 'concurrency' | 'dailyCredits' | 'requestBudgets'>,
): RateLimiter {
  const { account, concurrency, dailyCredits: credits, requestBudgets: budgets } = options;
  const key = `${account}|${concurrency}|${credits}`;
  let byKey = limiters;
  if (budgets) {
    byKey = sharedLimiters.get(budgets) ?? new Map<string, RateLimiter>();
    sharedLimiters.set(budgets, byKey);
  }
  let limiter = byKey.get(key);
  if (!limiter) {
    const limits = [{ requests: credits, perMs: DAY, maxConcurrent: concurrency }];
    // Zoho counts credits per org over 24 h: with a store, the day's count lives in its
    // database (one fixed window per UTC day), so every process on it draws from one budget.
    limiter = budgets
      ? new SharedRateLimiter(limits, {
          budgets,
          key: `zoho:credits:${account}`,
          requests: credits,
          perMs: DAY,
        })
      : new RateLimiter(limits);
    byKey.set(key, limiter);
  }
  return limiter;
}

/** `If-Modified-Since` as Zoho writes times: to the second, with an offset. */
export const zohoDateTime = (d: Date) => `${d.toISOString().slice(0, 19)}+00:00`;

/**
 * Zoho CRM API v8 over core's HTTP toolkit: `Zoho-oauthtoken` auth, the API host the token
 * names (`api_domain`), the edition's concurrency cap and daily credits as one limiter per org
 * shared by every client of this process, and Zoho's empty answers (204 no content, 304 not
 * modified) returned as empty pages.
 *
 * @example
 * const client = new ZohoClient({ baseUrl, auth: zohoAuth({ accountsUrl, … }), concurrency: 10, dailyCredits: 50_000, account });
 * const fields = await client.fields('Deals', signal);
 */
export class ZohoClient {
  readonly options: ZohoClientOptions;
  readonly limiter: RateLimiter;
  #http: HttpClient | undefined;
  #domain = '';
  #resolving: Promise<HttpClient> | undefined;
  readonly #fields = new Map<string, Promise<ZohoField[]>>();

  constructor(options: ZohoClientOptions) {
    this.options = options;
    this.limiter = orgLimiter(options);
  }

  /** The HTTP client on the org's API host, known once a token has been fetched. */
  async http(signal: AbortSignal): Promise<HttpClient> {
    if (this.#http) return this.#http;
    this.#resolving ??= (async () => {
      const domain = ((await this.options.auth.ensure(signal)) ?? this.options.baseUrl).replace(
        /\/+$/,
        '',
      );
      this.#domain = domain;
      this.#http = new HttpClient({
        crm: 'zoho',
        baseUrl: `${domain}/crm/v8`,
        auth: this.options.auth,
        limiter: this.limiter,
        ...(this.options.metrics && { metrics: this.options.metrics }),
        ...(this.options.logger && { logger: this.options.logger }),
        ...(this.options.retries !== undefined && { retries: this.options.retries }),
        ...(this.options.backoffMs !== undefined && { backoffMs: this.options.backoffMs }),
        errorMessage: (body) => zohoMessage(body),
        errorCode: (body) => (body as { code?: string } | null)?.code,
      });
      return this.#http;
    })().finally(() => {
      this.#resolving = undefined;
    });
    return this.#resolving;
  }

  /** The module's fields from `GET /settings/fields`, read once per client (one run). */
  fields(module: string, signal: AbortSignal): Promise<ZohoField[]> {
    let fields = this.#fields.get(module);
    if (!fields) {
      fields = (async () => {
        const http = await this.http(signal);
        const res = await http.get<unknown>('/settings/fields', { query: { module }, signal });
        const parsed = fieldsResponseSchema.safeParse(res.body);
        if (!parsed.success)
          throw new CrmsyncError(
            'data',
            `zoho ${module}: the fields metadata is not in Zoho's shape`,
            {
              crm: 'zoho',
            },
          );
        return parsed.data.fields;
      })();
      fields.catch(() => this.#fields.delete(module));
      this.#fields.set(module, fields);
    }
    return fields;
  }

  /** One page of `GET /{Module}`; `page_token` replaces `page` past 2,000 records. */
  async listPage(
    module: string,
    q: {
      fields: string[];
      perPage: number;
      page?: number;
      pageToken?: string;
      since?: Date;
      sortBy: 'id' | 'Modified_Time';
      signal: AbortSignal;
    },
  ): Promise<ZohoListPage> {
    const http = await this.http(q.signal);
    return this.#empty(() =>
      http.get<{ data?: ZohoRecord[]; info?: ZohoInfo }>(`/${module}`, {
        query: {
          fields: q.fields.join(','),
          per_page: q.perPage,
          sort_by: q.sortBy,
          sort_order: 'asc',
          ...(q.pageToken ? { page_token: q.pageToken } : { page: q.page ?? 1 }),
        },
        ...(q.since && { headers: { 'if-modified-since': zohoDateTime(q.since) } }),
        signal: q.signal,
      }),
    );
  }

  /** One page of `GET /{Module}/deleted?type=all`. */
  async deletedPage(
    module: string,
    q: { page: number; perPage: number; since?: Date; signal: AbortSignal },
  ): Promise<ZohoListPage> {
    const http = await this.http(q.signal);
    return this.#empty(() =>
      http.get<{ data?: ZohoRecord[]; info?: ZohoInfo }>(`/${module}/deleted`, {
        query: { type: 'all', page: q.page, per_page: q.perPage },
        ...(q.since && { headers: { 'if-modified-since': zohoDateTime(q.since) } }),
        signal: q.signal,
      }),
    );
  }

  /** `POST /coql` with a select query; no rows is an empty page. */
  async coql(query: string, signal: AbortSignal): Promise<ZohoListPage> {
    const http = await this.http(signal);
    return this.#empty(() =>
      http.post<{ data?: ZohoRecord[]; info?: ZohoInfo }>(
        '/coql',
        { select_query: query },
        { signal },
      ),
    );
  }

  async #empty(
    call: () => Promise<{
      status: number;
      body: { data?: ZohoRecord[]; info?: ZohoInfo } | string;
    }>,
  ): Promise<ZohoListPage> {
    try {
      const res = await call();
      const body = typeof res.body === 'object' && res.body ? res.body : {};
      return { status: res.status, data: body.data ?? [], info: body.info ?? {} };
    } catch (error) {
      // Zoho answers "nothing modified since" with 304: an empty page, not a failure.
      if (error instanceof CrmsyncError && error.context.status === 304)
        return { status: 304, data: [], info: { more_records: false } };
      throw error;
    }
  }

  /** An absolute URL on the org's API host (`/crm/bulk/v8/read`), once `http()` resolved it. */
  apiUrl(path: string): string {
    return /^https?:\/\//.test(path) ? path : `${this.#domain}${path}`;
  }

  /** Records in the module (`GET /{Module}/actions/count`). */
  async count(module: string, signal: AbortSignal): Promise<number> {
    const http = await this.http(signal);
    const res = await http.get<{ count?: number } | string>(`/${module}/actions/count`, { signal });
    return typeof res.body === 'object' ? (res.body.count ?? 0) : 0;
  }

  /**
   * Downloads bytes (a bulk read's ZIP) through the limiter with the same auth: the JSON
   * client would read the body as text. A 401 refreshes the token once.
   */
  async download(path: string, signal: AbortSignal): Promise<Uint8Array> {
    await this.http(signal);
    const url = this.apiUrl(path);
    const auth = this.options.auth;
    for (let attempt = 0; ; attempt++) {
      const headers = await auth.headers(signal);
      const { result: res } = await this.limiter.schedule(
        () => fetch(url, { headers, signal }),
        signal,
      );
      if (res.ok) return new Uint8Array(await res.arrayBuffer());
      await res.body?.cancel();
      if (res.status === 401 && attempt === 0 && (await auth.refresh?.(signal, headers))) continue;
      throw new CrmsyncError(
        res.status === 401 || res.status === 403
          ? 'auth'
          : res.status >= 500 || res.status === 429
            ? 'transient'
            : 'data',
        `zoho: the bulk read download answered HTTP ${res.status} (${new URL(url).pathname})`,
        { crm: 'zoho', status: res.status },
      );
    }
  }

  close(): Promise<void> {
    // The limiter is the org's, shared with later clients of this process: nothing to release.
    return Promise.resolve();
  }
}

/** Zoho's error text: `message`, with the field it names (`details.api_name`). */
export function zohoMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as {
    code?: string;
    message?: string;
    details?: { api_name?: string; param_name?: string };
  };
  if (!b.message && !b.code) return undefined;
  const about = b.details?.api_name ?? b.details?.param_name;
  return `${b.code ?? 'error'}: ${b.message ?? ''}${about ? ` (${about})` : ''}`;
}
