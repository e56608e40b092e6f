import {
  CrmsyncError,
  HttpClient,
  headerAuth,
  type Logger,
  RateLimiter,
  type RequestMetrics,
} from '@crmsync/core';

/** Requests per minute the client allows itself unless `ARRIVY_RATE_LIMIT` says otherwise. */
export const DEFAULT_RATE_LIMIT = 300;

export interface ArrivyClientOptions {
  baseUrl: string;
  authKey: string;
  authToken: string;
  /** Requests per minute. */
  rateLimit: number;
  /** The limit's window; default a minute (benchmarks shrink it to measure pacing quickly). */
  rateWindowMs?: number;
  /** `YYYY-MM-DD`: the earliest schedule date a whole read of tasks asks for. */
  historyStart?: string;
  backoffMs?: number;
  metrics?: RequestMetrics;
  logger?: Logger;
}

export type ArrivyRecord = Record<string, unknown>;

/**
 * Arrivy's API: the `X-Auth-Key` and `X-Auth-Token` headers on every call, bare JSON arrays,
 * a requests-per-minute limiter; 429 (with `Retry-After`) and 5xx retried by the core's HttpClient.
 */
export class ArrivyClient {
  readonly http: HttpClient;
  readonly limiter: RateLimiter;
  readonly historyStart: Date;

  constructor(options: ArrivyClientOptions) {
    const start = options.historyStart ?? '2010-01-01';
    this.historyStart = new Date(`${start}T00:00:00Z`);
    if (!/^\d{4}-\d\d-\d\d$/.test(start) || Number.isNaN(this.historyStart.getTime()))
      throw new CrmsyncError(
        'config',
        `arrivy: ARRIVY_HISTORY_START must be a date as YYYY-MM-DD (got ${JSON.stringify(start)})`,
        { crm: 'arrivy', field: 'ARRIVY_HISTORY_START' },
      );
    if (!Number.isInteger(options.rateLimit) || options.rateLimit < 1)
      throw new CrmsyncError(
        'config',
        `arrivy: ARRIVY_RATE_LIMIT must be a whole number of requests per minute, at least 1 (got ${options.rateLimit})`,
        { crm: 'arrivy', field: 'ARRIVY_RATE_LIMIT' },
      );
    this.limiter = new RateLimiter([
      { requests: options.rateLimit, perMs: options.rateWindowMs ?? 60_000 },
    ]);
    const key = headerAuth('x-auth-key', options.authKey);
    const token = headerAuth('x-auth-token', options.authToken);
    this.http = new HttpClient({
      crm: 'arrivy',
      baseUrl: options.baseUrl,
      auth: {
        headers: async (signal) => ({
          ...(await key.headers(signal)),
          ...(await token.headers(signal)),
        }),
        secrets: () => [options.authKey, options.authToken],
      },
      limiter: this.limiter,
      backoffMs: options.backoffMs ?? 500,
      errorMessage: (body) => {
        const b = body as { message?: string; description?: string } | null;
        return [b?.message, b?.description].filter(Boolean).join(': ') || undefined;
      },
      ...(options.metrics && { metrics: options.metrics }),
      ...(options.logger && { logger: options.logger }),
    });
  }

  /** One page of a list: the bare array Arrivy answers. */
  async page(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    signal: AbortSignal,
  ): Promise<ArrivyRecord[]> {
    const res = await this.http.get<unknown>(path, { query, signal });
    if (!Array.isArray(res.body))
      throw new CrmsyncError(
        'data',
        `arrivy ${path}: expected a JSON array, got ${JSON.stringify(res.body).slice(0, 80)}`,
        { crm: 'arrivy' },
      );
    return res.body as ArrivyRecord[];
  }

  close(): Promise<void> {
    return this.limiter.stop();
  }
}

/**
 * The pages of an Arrivy list (`page` from 1, `items_per_page`), as bare arrays with no total
 * and no next link. Arrivy has been seen serving ~500 rows whatever was asked, so the size
 * asked is not trusted: the read learns the size served (warning once when it differs) and
 * stops on an empty page, a page shorter than both the size asked and the pages before it, or
 * a page bringing no id it has not seen (a server ignoring `page`).
 */
export async function* arrivyPages(
  client: ArrivyClient,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  options: { size: number; startPage?: number; signal: AbortSignal; logger?: Logger },
): AsyncGenerator<{ records: ArrivyRecord[]; next: number }> {
  const seen = new Set<string>();
  let page = options.startPage ?? 1;
  let served = 0;
  let warned = false;
  for (;;) {
    const list = await client.page(
      path,
      { ...query, page, items_per_page: options.size },
      options.signal,
    );
    const fresh = list.filter((r) => !seen.has(String(r.id)));
    for (const r of fresh) seen.add(String(r.id));
    if (!warned && list.length > options.size) {
      warned = true;
      options.logger?.warn(
        `arrivy ${path}: asked items_per_page=${options.size} and got a page of ${list.length}: paging goes on by the size served`,
      );
    }
    const previous = served;
    served = Math.max(served, list.length);
    yield { records: fresh, next: page + 1 };
    // Asked ≤ 500 and a server ignoring the size serves 500: a page shorter than both the size
    // asked and the pages before it is the last.
    if (list.length === 0 || fresh.length === 0 || list.length < Math.max(options.size, previous))
      return;
    page++;
    options.signal.throwIfAborted();
  }
}
