import {
  bearerAuth,
  type ClientContext,
  type ConfigInput,
  type ConfigValues,
  HttpClient,
  RateLimiter,
} from '@crmsync/core';
import { type FakerServer, startFakerServer } from './fake-server/server.js';

/** Keys predate the typed contract and are the config file's names, so each names its env var. */
export const fakerConfig = {
  baseUrl: {
    env: 'FAKER_BASE_URL',
    type: 'url',
    description: 'A running faker API; unset = start one in-process on 127.0.0.1',
  },
  token: {
    env: 'FAKER_TOKEN',
    type: 'secret',
    description: 'Bearer token of the faker API at FAKER_BASE_URL',
  },
  size: {
    env: 'FAKER_SIZE',
    type: 'integer',
    default: 1000,
    description: 'Contacts and activities in the embedded API (companies: a fifth, deals: half)',
  },
  seed: {
    env: 'FAKER_SEED',
    type: 'integer',
    default: 42,
    description: 'Seed of the generated data',
  },
  changesPerMinute: {
    env: 'FAKER_CHANGES_PER_MINUTE',
    type: 'integer',
    default: 20,
    description: 'Records the embedded API edits per minute, per entity',
  },
  requestsPerSecond: {
    env: 'FAKER_REQUESTS_PER_SECOND',
    type: 'integer',
    default: 50,
    description: 'Client-side rate limit',
  },
  timeoutMs: {
    env: 'FAKER_TIMEOUT_MS',
    type: 'integer',
    description: 'Per request attempt, until the last byte of the body (default 30000)',
  },
  pageBudgetMs: {
    env: 'FAKER_PAGE_BUDGET_MS',
    type: 'integer',
    description: 'Per page: every attempt and backoff together (default 600000)',
  },
  backoffMs: {
    env: 'FAKER_BACKOFF_MS',
    type: 'integer',
    description: 'First wait before retrying a failed request, doubled per attempt (default 100)',
  },
} as const satisfies ConfigInput;

export type FakerConfig = ConfigValues<typeof fakerConfig>;

/** Records served by the embedded API start on this fixed date, so every process sees the same ones. */
const EMBEDDED_ANCHOR = new Date('2026-01-01T00:00:00.000Z');

/**
 * Talks to the faker API over HTTP through the core toolkit, like any CRM client: bearer
 * auth, a rate limiter, retries that honour Retry-After, cursor paging (the entities' restEntity declarations).
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
      timeoutMs: config.timeoutMs ?? 30_000,
      pageBudgetMs: config.pageBudgetMs ?? 600_000,
      backoffMs: config.backoffMs ?? 100,
      errorMessage: (body) => (body as { error?: { message?: string } })?.error?.message,
    });
    return new FakerClient(http, { limiter, ...(embedded && { embedded }) });
  }

  /** Stops the rate limiter and the embedded API, if this client started one. */
  async close(): Promise<void> {
    await this.#limiter?.stop();
    await this.#embedded?.close();
  }
}
