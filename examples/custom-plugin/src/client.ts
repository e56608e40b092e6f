import {
  bearerAuth,
  cursorPages,
  HttpClient,
  type Page,
  RateLimiter,
  type RequestMetrics,
} from '@crmsync/core';

/** A lead as Acme's API returns it. */
export interface AcmeLead {
  id: string;
  email: string | null;
  name: string | null;
  phone: string | null;
  status: string;
  created_at: string;
  updated_at: string;
}

interface LeadsPage {
  data: AcmeLead[];
  /** Acme's last-page signal: `next_cursor` is null. */
  next_cursor: string | null;
  total: number;
}

export interface AcmeClientOptions {
  baseUrl: string;
  token: string;
  metrics: RequestMetrics;
  /** Acme allows 50 requests per 10 s. */
  requestsPer10s?: number;
}

/**
 * Acme CRM over core's HTTP toolkit: `HttpClient` does auth, retries (honouring Retry-After),
 * error classification and secret redaction; `RateLimiter` keeps to the vendor's limit. The
 * client only says what is Acme-specific: paths, query names and the page shape.
 */
export class AcmeClient {
  readonly http: HttpClient;
  readonly #limiter: RateLimiter;

  constructor(options: AcmeClientOptions) {
    this.#limiter = new RateLimiter([{ requests: options.requestsPer10s ?? 50, perMs: 10_000 }]);
    this.http = new HttpClient({
      crm: 'acme',
      baseUrl: options.baseUrl,
      auth: bearerAuth(options.token),
      limiter: this.#limiter,
      metrics: options.metrics,
      backoffMs: 200,
    });
  }

  /** Leads changed in [since, until), oldest first, one page per request, resumable by cursor. */
  leads(request: {
    since?: Date;
    until?: Date;
    limit: number;
    cursor?: string;
    signal: AbortSignal;
  }): AsyncGenerator<Page<AcmeLead>> {
    return cursorPages(async (cursor) => {
      const { body } = await this.http.get<LeadsPage>('/v1/leads', {
        query: {
          limit: Math.min(200, request.limit),
          cursor,
          updated_since: request.since?.toISOString(),
          updated_before: request.until?.toISOString(),
        },
        signal: request.signal,
      });
      return { records: body.data, next: body.next_cursor, total: body.total };
    }, request.cursor);
  }

  async close() {
    await this.#limiter.stop();
  }
}
