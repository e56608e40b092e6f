import {
  bearerAuth,
  type ClientContext,
  cursorPages,
  HttpClient,
  type Page,
  RateLimiter,
} from '@crmsync/core';
import type { FakerEntity, FakerRecord } from './fake-server/dataset.js';
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

/** The embedded API, started once per process and settings, so deltas see one evolving dataset. */
const embedded = new Map<string, Promise<FakerServer>>();

/** Records served by the embedded API start on this fixed date, so every process sees the same ones. */
const EMBEDDED_ANCHOR = new Date('2026-01-01T00:00:00.000Z');

function embeddedServer(config: FakerConfig): Promise<FakerServer> {
  const key = `${config.seed}:${config.size}:${config.changesPerMinute}`;
  let server = embedded.get(key);
  if (!server) {
    server = startFakerServer({
      seed: config.seed,
      size: config.size,
      changesPerMinute: config.changesPerMinute,
      anchor: EMBEDDED_ANCHOR,
      spanDays: 365,
      unref: true,
      ...(config.token && { token: config.token }),
    });
    embedded.set(key, server);
  }
  return server;
}

export interface ListOptions {
  limit: number;
  since?: Date;
  until?: Date;
  after?: string;
  signal: AbortSignal;
}

interface ListResponse {
  results: FakerRecord[];
  total: number;
  paging?: { next?: { after?: string } };
}

/**
 * Talks to the faker API over HTTP through the core toolkit, like any CRM client: bearer
 * auth, a rate limiter, retries that honour Retry-After, cursor paging.
 */
export class FakerClient {
  readonly http: HttpClient;

  constructor(http: HttpClient) {
    this.http = http;
  }

  static async create(context: ClientContext<FakerConfig>): Promise<FakerClient> {
    const { config } = context;
    let baseUrl = config.baseUrl;
    let token = config.token;
    if (!baseUrl) {
      const server = await embeddedServer(config);
      baseUrl = server.url;
      token = server.token;
    }
    const http = new HttpClient({
      crm: 'faker',
      baseUrl,
      auth: bearerAuth(token ?? ''),
      metrics: context.metrics,
      limiter: new RateLimiter([{ requests: config.requestsPerSecond, perMs: 1000 }]),
      backoffMs: 100,
      errorMessage: (body) => (body as { error?: { message?: string } })?.error?.message,
    });
    return new FakerClient(http);
  }

  /** One entity as pages, oldest change first; each page's checkpoint is the cursor after it. */
  pages(entity: FakerEntity, options: ListOptions): AsyncGenerator<Page<FakerRecord>> {
    return cursorPages(async (after) => {
      const { body } = await this.http.get<ListResponse>(`/v1/${entity}`, {
        query: {
          limit: options.limit,
          after,
          updated_since: options.since?.toISOString(),
          updated_before: options.until?.toISOString(),
        },
        signal: options.signal,
      });
      return { records: body.results, next: body.paging?.next?.after ?? null, total: body.total };
    }, options.after);
  }

  async health(signal: AbortSignal): Promise<void> {
    await this.http.get('/v1/health', { signal });
  }
}
