import { CrmsyncError, isAuthFailureCode } from '../contracts/errors.js';

/** `Retry-After` as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The vendor's message out of a common error body shape (`message`, `error.message`, …). */
export function vendorMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    for (const key of ['message', 'error_description', 'error', 'detail']) {
      const v = b[key];
      if (typeof v === 'string') return v;
      if (v && typeof v === 'object' && typeof (v as Record<string, unknown>).message === 'string')
        return (v as { message: string }).message;
    }
  }
  return typeof body === 'string' && body.length < 300 ? body : undefined;
}

/**
 * A non-2xx answer as a classified error: 429 → `rate_limit` (with how long to wait),
 * 401/403 → `auth`, 408/5xx → `transient`, any other 4xx → `refusedKind` (default `data`),
 * unless the vendor's code says the credentials were refused (an OAuth 400 `invalid_grant`).
 * `vendor` must already be free of secrets.
 */
export function statusError(answer: {
  crm: string;
  status: number;
  /** `GET /path`, for the message. */
  where: string;
  vendor: string;
  retryAfterMs?: number | undefined;
  /** The vendor's own error code (Google's `PERMISSION_DENIED`), kept in `context.code`. */
  code?: string | undefined;
  refusedKind?: 'data' | 'config' | undefined;
  /** The vendor's rate-limit signal on another status (see `HttpClientOptions.isRateLimited`). */
  rateLimited?: boolean;
}): CrmsyncError {
  const { crm, status, where, vendor, retryAfterMs, code } = answer;
  const context = { crm, status, ...(code !== undefined && { code }) };
  if (status === 429 || answer.rateLimited)
    return new CrmsyncError(
      'rate_limit',
      `${crm}: rate limited (HTTP ${status}) on ${where}: ${vendor}`,
      {
        ...context,
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      },
    );
  if (
    status === 401 ||
    status === 403 ||
    (status >= 400 && status < 500 && code !== undefined && isAuthFailureCode(code))
  )
    return new CrmsyncError(
      'auth',
      `${crm}: credentials refused (HTTP ${status}) on ${where}: ${vendor}`,
      context,
    );
  if (status >= 500 || status === 408)
    return new CrmsyncError(
      'transient',
      `${crm}: server error (HTTP ${status}) on ${where}: ${vendor}`,
      context,
    );
  return new CrmsyncError(
    answer.refusedKind ?? 'data',
    `${crm}: request refused (HTTP ${status}) on ${where}: ${vendor}`,
    context,
  );
}
