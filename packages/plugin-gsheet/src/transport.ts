import {
  CrmsyncError,
  HttpClient,
  type Logger,
  type RateLimit,
  RateLimiter,
  type RequestBudgets,
  type RequestMetrics,
  SharedRateLimiter,
} from '@crmsync/core';
import { type FormPost, type GoogleTokenSource, googleAuth } from './auth.js';
import type { GoogleTransport } from './client.js';

export interface GoogleTransportOptions {
  tokens: GoogleTokenSource;
  /** Sheets API root (`https://sheets.googleapis.com`): the token goes only to it and Drive. */
  baseUrl: string;
  /** Drive API root (`https://www.googleapis.com`). */
  driveBaseUrl: string;
  /** Sheets: 60 reads per minute per user; Drive reads count against the same window. */
  quotas: RateLimit[];
  /**
   * The store's budgets shared by every process, and whom Google counts (the service
   * account's email, or the OAuth client id): each request then also takes from that key's
   * budget of `quotas[0]`, so every CLI run, worker and server together stays under it.
   */
  shared?: { budgets: RequestBudgets; key: string };
  metrics: RequestMetrics;
  logger: Logger;
  /** First backoff after a 429 or 5xx; doubles per attempt (default 1 s). */
  backoffMs?: number;
  attempts?: number;
  /** Per attempt, until the last byte of the body (default 30 s); see HttpClientOptions. */
  timeoutMs?: number;
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string } | string;
}

/**
 * Bearer-authenticated GET for the Sheets and Drive APIs over core's HttpClient: paced under
 * the per-minute read quota, exponential backoff on 429 RESOURCE_EXHAUSTED and 5xx (Google's
 * advice; its 429 carries no Retry-After), one token re-trade on 401, and Google's
 * `{error:{code,message,status}}` read into the message and `context.code`. A refused
 * request (an unparsable range) is a config error.
 *
 * @example
 * const get = createGoogleTransport({ tokens, baseUrl, driveBaseUrl, quotas: [{ requests: 60, perMs: 60_000 }], metrics, logger });
 * const file = await get<{ modifiedTime: string }>(`${driveBaseUrl}/drive/v3/files/${id}?fields=modifiedTime`, signal);
 */
export function createGoogleTransport(options: GoogleTransportOptions): GoogleTransport {
  const [quota] = options.quotas;
  const limiter =
    options.shared && quota
      ? new SharedRateLimiter(options.quotas, {
          budgets: options.shared.budgets,
          key: options.shared.key,
          requests: quota.requests,
          perMs: quota.perMs,
        })
      : new RateLimiter(options.quotas);
  const auth = googleAuth(options.tokens);
  const backoffMs = options.backoffMs ?? 1000;
  // One client per API root, because credentials go only to a client's own origin; both
  // share the token and the quota.
  const client = (baseUrl: string) =>
    new HttpClient({
      crm: 'gsheet',
      baseUrl,
      auth,
      limiter,
      metrics: options.metrics,
      logger: options.logger,
      retries: (options.attempts ?? 7) - 1,
      backoffMs,
      rateLimitBackoffMs: backoffMs,
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
      errorMessage: googleErrorMessage,
      errorCode: (body) => googleError(body)?.status,
      refusedKind: 'config',
    });
  const sheets = client(options.baseUrl);
  const drive = client(options.driveBaseUrl);
  const driveOrigin = new URL(options.driveBaseUrl).origin;
  return async <T>(url: string, signal: AbortSignal): Promise<T> => {
    const http = new URL(url).origin === driveOrigin ? drive : sheets;
    return (await http.get<T>(url, { signal })).body;
  };
}

function googleError(body: unknown): { message?: string; status?: string } | undefined {
  const error = (body as GoogleErrorBody | null)?.error;
  return error && typeof error === 'object' ? error : undefined;
}

/** `PERMISSION_DENIED: The caller does not have permission`, or a plain `error` string. */
function googleErrorMessage(body: unknown): string | undefined {
  const error = googleError(body);
  if (error) return [error.status, error.message].filter(Boolean).join(': ') || undefined;
  const plain = (body as GoogleErrorBody | null)?.error;
  return typeof plain === 'string' ? plain : undefined;
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
