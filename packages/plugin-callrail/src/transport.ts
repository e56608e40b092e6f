import {
  HttpClient,
  headerAuth,
  type Logger,
  RateLimiter,
  type RequestMetrics,
} from '@crmsync/core';
import type { CallRailTransport } from './client.js';

/** One of CallRail's request quotas: `limit` requests per rolling `windowMs`. */
export interface QuotaWindow {
  limit: number;
  windowMs: number;
}

export interface CallRailTransportOptions {
  apiKey: string;
  /**
   * Where relative paths start (the account: `https://api.callrail.com/v3/a/ACC…`); the key is
   * sent only to its origin, so next-page links elsewhere go without it.
   */
  baseUrl: string;
  /** Per account: 1,000 per hour and 10,000 per day. */
  quotas: QuotaWindow[];
  metrics: RequestMetrics;
  logger: Logger;
  /** First backoff after a 429 or 5xx; doubles per attempt (default 1 s, capped at 60 s). */
  backoffMs?: number;
  /** Attempts per request before giving up (default 6). */
  attempts?: number;
  /** Per attempt, until the last byte of the body (default 30 s); see HttpClientOptions. */
  timeoutMs?: number;
}

/**
 * Authenticated GET for CallRail over core's HttpClient: `Authorization: Token token="…"`,
 * paced under the hourly and daily windows, retried with exponential backoff on 5xx,
 * network errors and 429 — on the status alone, because CallRail sends no `Retry-After`
 * (one is honoured if present). A refused request (400, 404) is a config error: CallRail
 * refuses only what settings built wrong, such as a date range past its 25-month retention.
 *
 * @example
 * const get = createCallRailTransport({ apiKey, baseUrl, quotas: [{ limit: 1000, windowMs: 3_600_000 }], metrics, logger });
 * const body = await get<{ accounts: unknown[] }>(`${baseUrl}/a.json`, signal);
 */
export function createCallRailTransport(options: CallRailTransportOptions): CallRailTransport {
  const limiter = new RateLimiter(
    options.quotas.map((q) => ({ requests: q.limit, perMs: q.windowMs })),
  );
  const backoffMs = options.backoffMs ?? 1000;
  const http = new HttpClient({
    crm: 'callrail',
    baseUrl: options.baseUrl,
    auth: headerAuth('authorization', `Token token="${options.apiKey}"`, options.apiKey),
    headers: { 'request-from': 'crmsync' },
    limiter,
    metrics: options.metrics,
    logger: options.logger,
    retries: (options.attempts ?? 6) - 1,
    backoffMs,
    rateLimitBackoffMs: backoffMs,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    errorMessage: callRailErrorMessage,
    refusedKind: 'config',
  });
  const get = async <T>(url: string, signal: AbortSignal): Promise<T> =>
    (await http.get<T>(url, { signal })).body;
  return Object.assign(get, { http });
}

/** CallRail errors are JSON with an `error` (sometimes `errors`) member; fall back to the text. */
function callRailErrorMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 200);
  const { error, errors } = (body ?? {}) as { error?: unknown; errors?: unknown };
  const e = error ?? errors;
  if (e === undefined) return undefined;
  return typeof e === 'string' ? e : JSON.stringify(e);
}
