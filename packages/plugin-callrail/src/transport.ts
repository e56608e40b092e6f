import { CrmsyncError, type ErrorKind, type Logger, type RequestMetrics } from '@crmsync/core';
import type { CallRailTransport } from './client.js';
import { type QuotaWindow, SlidingQuota, sleep } from './quota.js';

export interface CallRailTransportOptions {
  apiKey: string;
  quotas: QuotaWindow[];
  metrics: RequestMetrics;
  logger: Logger;
  /** First backoff after a 429 or 5xx; doubles per attempt (default 1 s, capped at 60 s). */
  backoffMs?: number;
  /** Attempts per request before giving up (default 6). */
  attempts?: number;
}

/**
 * Authenticated GET for CallRail: `Authorization: Token token="…"`, paced under the hourly
 * and daily windows, retried with exponential backoff on 5xx, network errors and 429 — on
 * the status alone, because CallRail sends no `Retry-After` (one is honoured if present).
 */
export function createCallRailTransport(options: CallRailTransportOptions): CallRailTransport {
  const quota = new SlidingQuota(options.quotas, options.metrics);
  const base = options.backoffMs ?? 1000;
  const attempts = options.attempts ?? 6;
  const { metrics, logger } = options;
  const headers = {
    authorization: `Token token="${options.apiKey}"`,
    accept: 'application/json',
    'request-from': 'crmsync',
  };

  return async function get<T>(url: string, signal: AbortSignal): Promise<T> {
    const path = new URL(url).pathname;
    for (let attempt = 1; ; attempt++) {
      const answered = await quota.take(signal);
      metrics.apiCalls++;
      let res: Response;
      try {
        res = await fetch(url, { headers, signal });
        answered();
      } catch (error) {
        answered();
        if (signal.aborted) throw error;
        if (attempt >= attempts) {
          throw new CrmsyncError(
            'transient',
            `CallRail ${path}: ${(error as Error).message}`,
            { crm: 'callrail' },
            { cause: error },
          );
        }
        await backoff(attempt, `network error (${(error as Error).message})`);
        continue;
      }
      if (res.ok) return (await res.json()) as T;
      const text = await res.text();
      const message = errorMessage(text);
      const retryable = res.status === 429 || res.status >= 500;
      if (retryable && attempt < attempts) {
        const retryAfter = Number(res.headers.get('retry-after'));
        if (res.status === 429) metrics.throttled++;
        await backoff(
          attempt,
          `${res.status} ${message}`,
          Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
          res.status === 429,
        );
        continue;
      }
      const kind: ErrorKind =
        res.status === 429
          ? 'rate_limit'
          : res.status >= 500
            ? 'transient'
            : res.status === 401 || res.status === 403
              ? 'auth'
              : 'config';
      throw new CrmsyncError(kind, `CallRail ${path} answered ${res.status}: ${message}`, {
        crm: 'callrail',
        status: res.status,
      });
    }

    async function backoff(attempt: number, why: string, retryAfterMs?: number, throttled = false) {
      const ms =
        retryAfterMs ?? Math.min(60_000, base * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
      metrics.retries++;
      if (throttled) metrics.throttledMs += ms;
      logger.warn(`CallRail ${path}: ${why}; retrying in ${Math.round(ms)} ms`, { attempt });
      await sleep(ms, signal);
    }
  };
}

/** CallRail errors are JSON with an `error` (sometimes `errors`) member; fall back to the text. */
function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; errors?: unknown };
    const e = body.error ?? body.errors;
    if (e !== undefined) return typeof e === 'string' ? e : JSON.stringify(e);
  } catch {
    // not JSON
  }
  return text.slice(0, 200);
}
