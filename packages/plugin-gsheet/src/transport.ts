import { CrmsyncError, type ErrorKind, type Logger, type RequestMetrics } from '@crmsync/core';
import type { FormPost, GoogleTokenSource } from './auth.js';
import type { GoogleTransport } from './client.js';
import { type QuotaWindow, SlidingQuota, sleep } from './quota.js';

export interface GoogleTransportOptions {
  tokens: GoogleTokenSource;
  quotas: QuotaWindow[];
  metrics: RequestMetrics;
  logger: Logger;
  /** First backoff after a 429 or 5xx; doubles per attempt (default 1 s, capped at 64 s). */
  backoffMs?: number;
  attempts?: number;
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string } | string;
  error_description?: string;
}

/**
 * Bearer-authenticated GET for the Sheets and Drive APIs: paced under the per-minute read
 * quota, exponential backoff on 429 RESOURCE_EXHAUSTED and 5xx (Google's advice), one token
 * re-trade on 401, and Google's `{error:{code,message,status}}` turned into a classified error.
 */
export function createGoogleTransport(options: GoogleTransportOptions): GoogleTransport {
  const quota = new SlidingQuota(options.quotas, options.metrics);
  const base = options.backoffMs ?? 1000;
  const attempts = options.attempts ?? 7;
  const { metrics, logger, tokens } = options;

  return async function get<T>(url: string, signal: AbortSignal): Promise<T> {
    const where = new URL(url).pathname;
    let reauthorised = false;
    for (let attempt = 1; ; attempt++) {
      const token = await tokens.token(signal);
      const answered = await quota.take(signal);
      metrics.apiCalls++;
      let res: Response;
      try {
        res = await fetch(url, {
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          signal,
        });
        answered();
      } catch (error) {
        answered();
        if (signal.aborted || attempt >= attempts) {
          throw new CrmsyncError(
            'transient',
            `Google ${where}: ${(error as Error).message}`,
            { crm: 'gsheet' },
            { cause: error },
          );
        }
        await backoff(attempt, (error as Error).message);
        continue;
      }
      if (res.ok) return (await res.json()) as T;
      const body = (await res.json().catch(() => ({}))) as GoogleErrorBody;
      const message =
        typeof body.error === 'object'
          ? (body.error.message ?? '')
          : String(body.error ?? res.statusText);
      const status = typeof body.error === 'object' ? body.error.status : undefined;
      if (res.status === 401 && !reauthorised) {
        reauthorised = true;
        tokens.invalidate();
        continue;
      }
      if ((res.status === 429 || res.status >= 500) && attempt < attempts) {
        if (res.status === 429) metrics.throttled++;
        await backoff(
          attempt,
          `${res.status} ${status ?? ''} ${message}`.trim(),
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
      throw new CrmsyncError(
        kind,
        `Google ${where} answered ${res.status}${status ? ` ${status}` : ''}: ${message}`,
        {
          crm: 'gsheet',
          status: res.status,
          ...(status ? { code: status } : {}),
        },
      );
    }

    async function backoff(attempt: number, why: string, throttled = false) {
      const ms = Math.min(64_000, base * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
      metrics.retries++;
      if (throttled) metrics.throttledMs += ms;
      logger.warn(`Google ${where}: ${why}; retrying in ${Math.round(ms)} ms`, { attempt });
      await sleep(ms, signal);
    }
  };
}

/** POSTs a form with fetch (the token exchange); network failures become transient errors. */
export const postForm: FormPost = async (url, form, signal) => {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body: form,
      signal,
      headers: { accept: 'application/json' },
    });
  } catch (error) {
    throw new CrmsyncError(
      'transient',
      `Google token endpoint: ${(error as Error).message}`,
      { crm: 'gsheet' },
      { cause: error },
    );
  }
  return {
    status: res.status,
    body: (await res.json().catch(() => ({}))) as Record<string, unknown>,
  };
};
