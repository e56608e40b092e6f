import type { Logger } from '../contracts/logger.js';
import type { RequestMetrics } from '../contracts/metrics.js';
import type { AuthStrategy } from './auth.js';
import type { RateLimiter } from './rate-limit.js';

export interface HttpClientOptions {
  baseUrl: string;
  /** Name used in error messages (`hubspot`). */
  crm: string;
  auth?: AuthStrategy;
  limiter?: RateLimiter;
  metrics?: RequestMetrics;
  /**
   * Per attempt: from sending the request to the last byte of the body (a body that stalls
   * half-way times out too). Default 30 s.
   */
  timeoutMs?: number;
  /**
   * Per page: every attempt and backoff of one request together; waits for the rate limit
   * (the limiter's pacing, a Retry-After) do not count. Default 10 min, so a page cannot hold
   * a run however the CRM stalls.
   */
  pageBudgetMs?: number;
  /** Attempts for transient and rate-limit failures. Default 5. */
  retries?: number;
  /** Base backoff in ms (doubled per attempt, with jitter). Default 500. */
  backoffMs?: number;
  /**
   * Wait after a 429 that carries no Retry-After, doubled on each further 429 of the same
   * request (capped at 60 s). Default 1 s.
   */
  rateLimitBackoffMs?: number;
  /**
   * Reads how long to wait out of a 429 when the vendor says it its own way (a reset header,
   * a field in the body); undefined falls back to Retry-After, then to the backoff.
   */
  onRateLimit?: (response: { headers: Headers; body: unknown }) => number | undefined;
  /**
   * Says that an answer other than a 429 is the vendor's rate-limit signal (Salesforce's 403
   * `REQUEST_LIMIT_EXCEEDED`): it is then a `rate_limit` error, waited out like a 429 (with
   * `onRateLimit`'s wait), never an `auth` one.
   */
  isRateLimited?: (answer: { status: number; headers: Headers; body: unknown }) => boolean;
  /** A 429 asking to wait longer than this fails at once instead of waiting. Default 5 min. */
  maxRetryAfterMs?: number;
  headers?: Record<string, string>;
  /** Reads the vendor's error message out of an error body. */
  errorMessage?: (body: unknown, status: number) => string | undefined;
  /** Reads the vendor's own error code out of an error body into `context.code`. */
  errorCode?: (body: unknown, status: number) => string | undefined;
  /**
   * What a refused request (a 4xx other than 401, 403, 408 and 429) means; default `data`.
   * `config` suits a CRM that refuses a request only when settings built it wrong (a date
   * range past its retention, a range naming no tab): a run failing so is not resumed.
   */
  refusedKind?: 'data' | 'config';
  /** Gets a warning for every retry: what failed and which attempt comes next. */
  logger?: Logger;
}

export interface RequestOptions {
  method?: string;
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Another limiter for this request (a search bucket). */
  limiter?: RateLimiter;
}
