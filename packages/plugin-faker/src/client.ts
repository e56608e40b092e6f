import {
  bearerAuth,
  type ClientContext,
  HttpClient,
  type Page,
  RateLimiter,
  restPages,
} from '@crmsync/core';
import type { FakerEntity, FakerRecord } from './types.js';
import { type FakerServer, startFakerServer } from './fake-server/server.js';

export interface FakerConfig {
  baseUrl?: string;
  token?: string;
  size: number;
  seed: number;
  changesPerMinute: number;
  requestsPerSecond: number;
  [key: string]: unknown;
}

/** Records served by the embedded API start on this fixed date, so every process sees the same ones. */
const EMBEDDED_ANCHOR = new Date('2026-01-01T00:00:00.000Z');

export interface ListOptions {
  limit: number;
  since?: Date;
  until?: Date;
  after?: string;
  /** Extra latency the faker API adds to each page, to simulate a slow CRM. */
  latencyMs?: number;
  signal: AbortSignal;
}

/**
 * Talks to the faker API over HTTP through the core toolkit, like any CRM client: bearer
 * auth, a rate limiter, retries that honour Retry-After, cursor paging.
 */
export class FakerClient {
  readonly http: HttpClient;
  readonly #limiter: RateLimiter | undefined;
  readonly #embedded: FakerServer | undefined;

  constructor(http: HttpClient, owned: { limiter?: RateLimiter; embedded?: FakerServer } = {}) {
    this.http = http;
    this.#limiter = owned.limiter;
    this.#embedded = owned.embedded;
  }

  /**
   * Without `baseUrl`, starts an embedded faker API on 127.0.0.1 for this client (closed by
   * `close()`). Its records are anchored on a fixed date and its simulated edits follow the
   * clock, so every embedded API with the same settings serves the same data at the same
   * moment: a delta run in a later client or process finds exactly what changed since.
   */
  static async create(context: ClientContext<FakerConfig>): Promise<FakerClient> {
    const { config } = context;
    let baseUrl = config.baseUrl;
    let token = config.token;
    let embedded: FakerServer | undefined;
    if (!baseUrl) {
      embedded = await startFakerServer({
        seed: config.seed,
        size: config.size,
        changesPerMinute: config.changesPerMinute,
        anchor: EMBEDDED_ANCHOR,
        spanDays: 365,
        unref: true,
        ...(config.token && { token: config.token }),
      });
      baseUrl = embedded.url;
      token = embedded.token;
    }
    const limiter = new RateLimiter([{ requests: config.requestsPerSecond, perMs: 1000 }]);
    const http = new HttpClient({
      crm: 'faker',
      baseUrl,
      auth: bearerAuth(token ?? ''),
      metrics: context.metrics,
      limiter,
      backoffMs: 100,
      errorMessage: (body) => (body as { error?: { message?: string } })?.error?.message,
    });
    return new FakerClient(http, { limiter, ...(embedded && { embedded }) });
  }

  /** Stops the rate limiter and the embedded API, if this client started one. */
  async close(): Promise<void> {
    await this.#limiter?.stop();
    await this.#embedded?.close();
  }

  /**
   * One entity as pages, oldest change first; each page's checkpoint is the cursor after it.
   * Nothing odd about this API, so the read is a declaration.
   */
  pages(entity: FakerEntity, options: ListOptions): AsyncGenerator<Page<FakerRecord>> {
    return restPages<FakerRecord>(
      this.http,
      {
        path: `/v1/${entity}`,
        records: 'results',
        total: 'total',
        pagination: {
          style: 'cursor',
          param: 'after',
          next: 'paging.next.after',
          limitParam: 'limit',
        },
        query: {
          updated_since: options.since?.toISOString(),
          updated_before: options.until?.toISOString(),
          latency_ms: options.latencyMs || undefined,
        },
      },
      {
        pageSize: options.limit,
        signal: options.signal,
        ...(options.after && { checkpoint: { cursor: options.after } }),
      },
    );
  }

  async health(signal: AbortSignal): Promise<void> {
    await this.http.get('/v1/health', { signal });
  }
}
