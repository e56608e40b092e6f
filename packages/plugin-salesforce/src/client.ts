import {
  CrmsyncError,
  HttpClient,
  type HttpResponse,
  type Logger,
  RateLimiter,
  type RequestMetrics,
} from '@crmsync/core';
import type { SalesforceAuth } from './auth.js';

/** One field of `sobjects/<Object>/describe`. */
export interface DescribeField {
  name: string;
  type: string;
  label?: string;
  custom?: boolean;
}

/** A `query`/`queryAll` answer (and a `nextRecordsUrl` page). */
export interface QueryResult<T = Record<string, unknown>> {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: T[];
}

/** A Bulk API 2.0 query job, as `jobs/query/{id}` reports it. */
interface BulkJob {
  id: string;
  state: 'UploadComplete' | 'InProgress' | 'Aborted' | 'JobComplete' | 'Failed';
  errorMessage?: string;
  numberRecordsProcessed?: number;
}

type SalesforceError = Array<{ message?: string; errorCode?: string }>;
const firstError = (body: unknown) =>
  Array.isArray(body) ? (body as SalesforceError)[0] : undefined;

/** `api-usage=18/15000` out of `Sforce-Limit-Info`. */
export function parseLimitInfo(header: string | null): { used: number; max: number } | undefined {
  const m = /api-usage=(\d+)\/(\d+)/.exec(header ?? '');
  return m ? { used: Number(m[1]), max: Number(m[2]) } : undefined;
}

export interface SalesforceClientOptions {
  instanceUrl: string;
  apiVersion: string;
  auth: SalesforceAuth;
  /** Requests in flight at once: Salesforce refuses more than 25 concurrent long requests. */
  maxConcurrent?: number;
  /** Requests of the daily allocation left alone for other integrations (default 0). */
  reserve?: number;
  /** Between polls of a Bulk 2.0 job. */
  bulkPollMs?: number;
  /** An unbounded read of at least this many records goes through Bulk API 2.0. */
  bulkThreshold?: number;
  /** Records per Bulk 2.0 result chunk (`maxRecords`). */
  bulkChunk?: number;
  metrics?: RequestMetrics;
  logger?: Logger;
}

/**
 * Salesforce REST over the core toolkit (not jsforce: see the README). One client per run,
 * shared by every worker of the run — so the daily allocation it learns from
 * `Sforce-Limit-Info` is one budget, and the concurrency cap holds across slices.
 */
export class SalesforceClient {
  readonly http: HttpClient;
  readonly limiter: RateLimiter;
  readonly instanceUrl: string;
  readonly dataPath: string;
  /** The org's rolling-24 h API usage, from the last answer's `Sforce-Limit-Info`. */
  usage: { used: number; max: number } | undefined;
  readonly bulkThreshold: number;
  readonly bulkChunk: number;
  readonly #describes = new Map<string, Promise<DescribeField[]>>();
  readonly #reserve: number;
  readonly #pollMs: number;

  constructor(readonly options: SalesforceClientOptions) {
    this.instanceUrl = options.instanceUrl.replace(/\/+$/, '');
    this.dataPath = `/services/data/v${options.apiVersion}`;
    this.#reserve = options.reserve ?? 0;
    this.#pollMs = options.bulkPollMs ?? 5_000;
    this.bulkThreshold = options.bulkThreshold ?? 50_000;
    this.bulkChunk = options.bulkChunk ?? 10_000;
    this.limiter = new RateLimiter([
      // No per-second limit; the concurrency cap is what Salesforce enforces per org.
      { requests: 1_000_000, perMs: 1_000, maxConcurrent: options.maxConcurrent ?? 25 },
    ]);
    this.http = new HttpClient({
      crm: 'salesforce',
      baseUrl: `${this.instanceUrl}${this.dataPath}`,
      auth: options.auth,
      limiter: this.limiter,
      ...(options.metrics && { metrics: options.metrics }),
      ...(options.logger && { logger: options.logger }),
      backoffMs: 250,
      // Salesforce's rate limit is a 403, never a 429.
      isRateLimited: ({ status, body }) =>
        status === 403 && firstError(body)?.errorCode === 'REQUEST_LIMIT_EXCEEDED',
      onRateLimit: ({ headers, body }) => {
        this.#observe(headers);
        // The daily allocation frees as the rolling 24 h moves on: far longer than a run
        // waits, so the request fails at once as rate_limit with this wait for the scheduler.
        // Too many concurrent long requests clears within seconds: the backoff retries.
        return /TotalRequests/i.test(firstError(body)?.message ?? '') ? 3_600_000 : undefined;
      },
      errorMessage: (body) => {
        const e = firstError(body);
        return e ? `${e.errorCode ?? 'ERROR'}: ${e.message ?? ''}` : undefined;
      },
      errorCode: (body) => firstError(body)?.errorCode,
    });
  }

  #observe(headers: Headers): void {
    const usage = parseLimitInfo(headers.get('sforce-limit-info'));
    if (usage) this.usage = usage;
  }

  /** The daily allocation as text, for messages. */
  usageText(): string {
    return this.usage
      ? `API usage ${this.usage.used}/${this.usage.max} requests in the rolling 24 hours`
      : 'API usage unknown';
  }

  /**
   * Every call: refuses up front when the org's allocation is spent (no request wasted on a
   * 403), reads the usage header of the answer, and puts the usage figures into a rate-limit
   * error's message.
   */
  async call<T>(
    path: string,
    o: {
      method?: string;
      query?: Record<string, string | number | undefined>;
      body?: unknown;
      headers?: Record<string, string>;
      signal: AbortSignal;
    },
  ): Promise<HttpResponse<T>> {
    if (this.usage && this.usage.used >= this.usage.max - this.#reserve)
      throw new CrmsyncError(
        'rate_limit',
        `salesforce: the org's daily API allocation is spent (${this.usageText()}${this.#reserve ? `, ${this.#reserve} kept in reserve` : ''}); waiting for the rolling window to free requests`,
        { crm: 'salesforce', retryAfterMs: 3_600_000 },
      );
    try {
      const res = await this.http.request<T>(path, o);
      this.#observe(res.headers);
      return res;
    } catch (error) {
      if (error instanceof CrmsyncError && error.kind === 'rate_limit')
        throw new CrmsyncError(
          'rate_limit',
          `${error.message} (${this.usageText()})`,
          error.context,
          { cause: error },
        );
      throw error;
    }
  }

  /** Field list of an SObject (read once per client). */
  describe(object: string, signal: AbortSignal): Promise<DescribeField[]> {
    let fields = this.#describes.get(object);
    if (!fields) {
      fields = this.call<{ fields: DescribeField[] }>(`/sobjects/${object}/describe`, {
        signal,
      }).then((r) => r.body.fields);
      fields.catch(() => this.#describes.delete(object));
      this.#describes.set(object, fields);
    }
    return fields;
  }

  /** `query` (or `queryAll`, which includes deleted rows) with a batch size of 200–2,000. */
  async query<T>(
    soql: string,
    o: { all?: boolean; batchSize?: number; signal: AbortSignal },
  ): Promise<QueryResult<T>> {
    const res = await this.call<QueryResult<T>>(o.all ? '/queryAll' : '/query', {
      query: { q: soql },
      ...(o.batchSize && { headers: { 'sforce-query-options': `batchSize=${o.batchSize}` } }),
      signal: o.signal,
    });
    return res.body;
  }

  /** The next batch of a query, by its `nextRecordsUrl`. */
  async queryMore<T>(
    nextRecordsUrl: string,
    o: { batchSize?: number; signal: AbortSignal },
  ): Promise<QueryResult<T>> {
    const res = await this.call<QueryResult<T>>(`${this.instanceUrl}${nextRecordsUrl}`, {
      ...(o.batchSize && { headers: { 'sforce-query-options': `batchSize=${o.batchSize}` } }),
      signal: o.signal,
    });
    return res.body;
  }

  /** `SELECT COUNT() FROM …`: the record count, in `totalSize`. */
  async count(object: string, where: string, signal: AbortSignal): Promise<number> {
    return (await this.query(`SELECT COUNT() FROM ${object}${where}`, { signal })).totalSize;
  }

  /** Creates a Bulk API 2.0 query job and waits until its results can be read. */
  async bulkQuery(soql: string, signal: AbortSignal): Promise<string> {
    const created = await this.call<BulkJob>('/jobs/query', {
      method: 'POST',
      body: { operation: 'query', query: soql, contentType: 'CSV', columnDelimiter: 'COMMA' },
      signal,
    });
    const id = created.body.id;
    // Polls quickly at first (a small job completes in a moment), then backs off to `bulkPollMs`.
    let wait = 200;
    for (;;) {
      const job = (await this.call<BulkJob>(`/jobs/query/${id}`, { signal })).body;
      if (job.state === 'JobComplete') return id;
      if (job.state === 'Failed' || job.state === 'Aborted')
        throw new CrmsyncError(
          'transient',
          `salesforce: Bulk API 2.0 query job ${id} ${job.state.toLowerCase()}${job.errorMessage ? `: ${job.errorMessage}` : ''}`,
          { crm: 'salesforce' },
        );
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(this.#pollMs, wait * 2);
      signal.throwIfAborted();
    }
  }

  /** One chunk of a job's CSV results; `locator` is the next chunk's, or null after the last. */
  async bulkResults(
    id: string,
    o: { locator?: string | undefined; maxRecords: number; signal: AbortSignal },
  ): Promise<{ csv: string; locator: string | null }> {
    const res = await this.call<string>(`/jobs/query/${id}/results`, {
      query: { maxRecords: o.maxRecords, locator: o.locator },
      headers: { accept: 'text/csv' },
      signal: o.signal,
    });
    const next = res.headers.get('sforce-locator');
    // The header is the literal string "null" after the last chunk.
    return { csv: String(res.body ?? ''), locator: !next || next === 'null' ? null : next };
  }

  close(): Promise<void> {
    return this.limiter.stop();
  }
}
