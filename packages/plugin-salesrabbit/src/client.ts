import {
  bearerAuth,
  CrmsyncError,
  HttpClient,
  type HttpResponse,
  type Logger,
  RateLimiter,
  type RequestMetrics,
} from '@crmsync/core';

/** Requests per minute the client allows itself unless `SALESRABBIT_RATE_LIMIT` says otherwise. */
export const DEFAULT_RATE_LIMIT = 120;
/** The page-size parameter sent unless `SALESRABBIT_PAGE_SIZE_PARAM` names another. */
export const DEFAULT_PAGE_SIZE_PARAM = 'perPage';

export interface SalesRabbitClientOptions {
  baseUrl: string;
  token: string;
  /** Requests per minute. */
  rateLimit: number;
  /** The limit's window; default a minute (benchmarks shrink it to measure pacing quickly). */
  rateWindowMs?: number;
  pageSizeParam: string;
  backoffMs?: number;
  metrics?: RequestMetrics;
  logger?: Logger;
}

/** A list answer: the records, the total when the envelope has one, or 304 "not modified". */
export type ListAnswer =
  | { notModified: true }
  | { notModified: false; records: Record<string, unknown>[]; total?: number };

/**
 * SalesRabbit's API: `Authorization: Bearer <token>`, the `{data, meta}` envelope, the
 * change headers (`If-Modified-Since`, `If-Status-Modified-Since`) and 304 as "nothing changed".
 * 429 (with `Retry-After`) and 5xx are retried by the core's HttpClient.
 */
export class SalesRabbitClient {
  readonly http: HttpClient;
  readonly limiter: RateLimiter;
  readonly pageSizeParam: string;

  constructor(options: SalesRabbitClientOptions) {
    if (!Number.isInteger(options.rateLimit) || options.rateLimit < 1)
      throw new CrmsyncError(
        'config',
        `salesrabbit: SALESRABBIT_RATE_LIMIT must be a whole number of requests per minute, at least 1 (got ${options.rateLimit})`,
        { crm: 'salesrabbit', field: 'SALESRABBIT_RATE_LIMIT' },
      );
    if (!/^[A-Za-z_][A-Za-z0-9_[\].-]*$/.test(options.pageSizeParam))
      throw new CrmsyncError(
        'config',
        `salesrabbit: SALESRABBIT_PAGE_SIZE_PARAM must be a query parameter name such as perPage, pageSize or limit (got ${JSON.stringify(options.pageSizeParam)})`,
        { crm: 'salesrabbit', field: 'SALESRABBIT_PAGE_SIZE_PARAM' },
      );
    this.pageSizeParam = options.pageSizeParam;
    this.limiter = new RateLimiter([
      { requests: options.rateLimit, perMs: options.rateWindowMs ?? 60_000 },
    ]);
    this.http = new HttpClient({
      crm: 'salesrabbit',
      baseUrl: options.baseUrl,
      auth: bearerAuth(options.token),
      limiter: this.limiter,
      backoffMs: options.backoffMs ?? 500,
      errorMessage: (body) => {
        const b = body as { message?: string; error?: string } | null;
        return b?.message ?? b?.error;
      },
      ...(options.metrics && { metrics: options.metrics }),
      ...(options.logger && { logger: options.logger }),
    });
  }

  /** One page of a list; `headers` carries the change header of a delta. */
  async list(
    path: string,
    query: Record<string, string | number>,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<ListAnswer> {
    let res: HttpResponse<unknown>;
    try {
      res = await this.http.request<unknown>(path, { query, headers, signal });
    } catch (error) {
      if (error instanceof CrmsyncError && error.context.status === 304)
        return { notModified: true };
      throw error;
    }
    if (res.status === 304) return { notModified: true };
    const body = res.body as { data?: unknown; meta?: { total?: unknown } } | unknown[] | null;
    // The envelope is `{data, meta}`; a bare array is taken as the records too.
    const data = Array.isArray(body) ? body : body?.data;
    if (res.status === 204 || body === null || (res.body as unknown) === '')
      return { notModified: false, records: [] };
    if (!Array.isArray(data))
      throw new CrmsyncError(
        'data',
        `salesrabbit ${path}: expected {"data": [ … ]} in the answer, got ${JSON.stringify(body).slice(0, 80)}`,
        { crm: 'salesrabbit' },
      );
    const total = Array.isArray(body) ? Number.NaN : Number(body?.meta?.total);
    return {
      notModified: false,
      records: data as Record<string, unknown>[],
      ...(Number.isFinite(total) && { total }),
    };
  }

  close(): Promise<void> {
    return this.limiter.stop();
  }
}
