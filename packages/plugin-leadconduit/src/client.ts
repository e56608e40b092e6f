import {
  type AuthStrategy,
  CrmsyncError,
  HttpClient,
  type Logger,
  RateLimiter,
  type RequestMetrics,
} from '@crmsync/core';

/** Requests per minute the client allows itself unless `LEADCONDUIT_RATE_LIMIT` says otherwise. */
export const DEFAULT_RATE_LIMIT = 100;

export interface LeadConduitClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Requests per minute. */
  rateLimit: number;
  /** The limit's window; default a minute (benchmarks shrink it to measure pacing quickly). */
  rateWindowMs?: number;
  /** First retry delay after a 5xx or dropped connection (doubles, with jitter). */
  backoffMs?: number;
  metrics?: RequestMetrics;
  logger?: Logger;
}

/**
 * HTTP Basic with the API key as the password (LeadConduit ignores the user name). The key
 * never appears in an error: `secrets()` lists both the key and its encoded header.
 */
export function leadconduitAuth(apiKey: string): AuthStrategy {
  const header = `Basic ${Buffer.from(`X:${apiKey}`).toString('base64')}`;
  return { headers: async () => ({ authorization: header }), secrets: () => [apiKey, header] };
}

/**
 * LeadConduit's API: Basic auth, `Accept: application/json` on every call (without it the
 * API answers 403 "misconfigured csrf"), a requests-per-minute limiter, 429/5xx retried by
 * the core's HttpClient (honouring `Retry-After`).
 */
export class LeadConduitClient {
  readonly http: HttpClient;
  readonly limiter: RateLimiter;

  constructor(options: LeadConduitClientOptions) {
    if (!Number.isInteger(options.rateLimit) || options.rateLimit < 1)
      throw new CrmsyncError(
        'config',
        `leadconduit: LEADCONDUIT_RATE_LIMIT must be a whole number of requests per minute, at least 1 (got ${options.rateLimit})`,
        { crm: 'leadconduit', field: 'LEADCONDUIT_RATE_LIMIT' },
      );
    this.limiter = new RateLimiter([
      { requests: options.rateLimit, perMs: options.rateWindowMs ?? 60_000 },
    ]);
    this.http = new HttpClient({
      crm: 'leadconduit',
      baseUrl: options.baseUrl,
      auth: leadconduitAuth(options.apiKey),
      limiter: this.limiter,
      headers: { accept: 'application/json' },
      backoffMs: options.backoffMs ?? 500,
      errorMessage: (body) => (body as { error?: string } | null)?.error,
      ...(options.metrics && { metrics: options.metrics }),
      ...(options.logger && { logger: options.logger }),
    });
  }

  close(): Promise<void> {
    return this.limiter.stop();
  }
}
