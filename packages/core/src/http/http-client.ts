import pRetry, { AbortError } from 'p-retry';
import { CrmsyncError } from '../contracts/errors.js';
import { redact, redactUrlCredentials } from '../logging/logger.js';
import { parseRetryAfter, statusError, vendorMessage } from './http-errors.js';
import type { HttpClientOptions, RequestOptions } from './http-options.js';
import { type Deadline, deadline, type RawResponse, send as sendRequest } from './transport.js';

export type { HttpClientOptions, RequestOptions } from './http-options.js';

/** Waits `ms`, or less if `signal` aborts (the retry loop then stops on the aborted signal). */
function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The credentials a request went out with, so a 401 can tell a stale token from a bad one. */
interface SentAuth {
  headers?: Record<string, string>;
}

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * JSON over HTTP (undici) for API plugins: base URL, credentials, rate limits, retries with backoff
 * and jitter that honour Retry-After, timeouts, and errors classified for the engine. No
 * secret ever appears in an error it throws.
 *
 * @example
 * const http = new HttpClient({ crm: 'hubspot', baseUrl, auth: bearerAuth(token), limiter, metrics });
 * const page = await http.get<ListResponse>('/crm/v3/objects/contacts', { query: { limit: 100 } });
 */
export class HttpClient {
  readonly options: HttpClientOptions;

  readonly #origin: string;

  constructor(options: HttpClientOptions) {
    this.options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
    this.#origin = new URL(this.options.baseUrl).origin;
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    return this.request<T>(path, { ...options, method: 'GET' });
  }

  post<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    return this.request<T>(path, { ...options, method: 'POST', body });
  }

  url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(
      /^https?:\/\//.test(path)
        ? path
        : `${this.options.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`,
    );
    for (const [k, v] of Object.entries(query ?? {}))
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    return url.toString();
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const o = this.options;
    const url = this.url(path, options.query);
    const budgetMs = o.pageBudgetMs ?? 600_000;
    // Everything below waits on `budget`: it aborts when the caller cancels or the page's
    // budget is spent.
    const budget = deadline(budgetMs, options.signal);
    try {
      return await this.#retrying<T>(url, options, budget);
    } catch (error) {
      if (!budget.expired() || options.signal?.aborted) throw error;
      throw new CrmsyncError(
        'transient',
        `${o.crm}: ${this.#where(url, options)}: no complete answer within the page budget of ${budgetMs} ms (${this.#clean(url)})`,
        { crm: o.crm },
        { cause: error },
      );
    } finally {
      budget.dispose();
    }
  }

  #retrying<T>(url: string, options: RequestOptions, budget: Deadline): Promise<HttpResponse<T>> {
    const o = this.options;
    const { signal } = budget;
    let refreshed = false;
    const sent: SentAuth = {};
    const attempt = async (): Promise<HttpResponse<T>> => {
      try {
        return await this.#once<T>(url, options, sent, budget);
      } catch (error) {
        if (
          error instanceof CrmsyncError &&
          error.kind === 'auth' &&
          error.context.status === 401 &&
          !refreshed &&
          o.auth?.refresh
        ) {
          refreshed = true;
          if (await o.auth.refresh(signal, sent.headers))
            return this.#once<T>(url, options, sent, budget);
        }
        throw error;
      }
    };
    return pRetry(
      async () => {
        try {
          return await attempt();
        } catch (error) {
          const kind = error instanceof CrmsyncError ? error.kind : 'system';
          // A Retry-After longer than a run should sit idle (a spent daily quota) ends the
          // request now: the error carries retryAfterMs for the scheduler to act on.
          const tooLong =
            error instanceof CrmsyncError &&
            (error.context.retryAfterMs ?? 0) > (o.maxRetryAfterMs ?? 300_000);
          if (signal.aborted || tooLong || (kind !== 'transient' && kind !== 'rate_limit'))
            throw new AbortError(error as Error);
          throw error;
        }
      },
      {
        retries: o.retries ?? 5,
        minTimeout: o.backoffMs ?? 500,
        factor: 2,
        randomize: true,
        signal,
        onFailedAttempt: async (error) => {
          // The last attempt failed: nothing follows, so neither count a retry nor wait.
          if (error.retriesLeft === 0) return;
          if (o.metrics) o.metrics.retries++;
          const wait =
            error instanceof CrmsyncError && error.kind === 'rate_limit'
              ? (error.context.retryAfterMs ??
                Math.min(60_000, (o.rateLimitBackoffMs ?? 1000) * 2 ** (error.attemptNumber - 1)))
              : undefined;
          o.logger?.warn(
            `${this.#clean(error.message)}; retrying${wait === undefined ? '' : ` in ${wait} ms`}`,
            { attempt: error.attemptNumber + 1, retriesLeft: error.retriesLeft },
          );
          if (wait !== undefined) {
            if (o.metrics) {
              o.metrics.throttled++;
              o.metrics.throttledMs += wait;
            }
            (options.limiter ?? o.limiter)?.pause(wait);
            if (!(options.limiter ?? o.limiter)) {
              // The CRM asked for this wait: it is not the page being slow.
              budget.pause();
              await delay(wait, signal);
              budget.resume();
            }
          }
        },
      },
    );
  }

  async #once<T>(
    url: string,
    options: RequestOptions,
    sent: SentAuth,
    budget: Deadline,
  ): Promise<HttpResponse<T>> {
    const o = this.options;
    const { signal } = budget;
    const limiter = options.limiter ?? o.limiter;
    // Neither clock runs while the limiter holds the request: pacing under the CRM's quota
    // (an hourly window may hold it for long) is not the CRM being slow.
    const send = async (): Promise<{ res: RawResponse; attempt: Deadline }> => {
      budget.resume();
      const attempt = deadline(o.timeoutMs ?? 30_000, signal);
      try {
        // Credentials go only to the CRM's own origin, never to a host a next link points at.
        const auth =
          o.auth && new URL(url).origin === this.#origin
            ? await o.auth.headers(attempt.signal)
            : {};
        sent.headers = auth;
        const body = options.body === undefined ? undefined : JSON.stringify(options.body);
        if (o.metrics) o.metrics.apiCalls++;
        const res = await sendRequest(url, {
          method: options.method ?? 'GET',
          headers: {
            accept: 'application/json',
            ...(body !== undefined && { 'content-type': 'application/json' }),
            ...o.headers,
            ...auth,
            ...options.headers,
          },
          ...(body !== undefined && { body }),
          signal: attempt.signal,
        });
        return { res, attempt };
      } catch (error) {
        attempt.dispose();
        throw this.#failure(error, url, options, signal, attempt, 'an answer');
      }
    };
    let sentRequest: { res: RawResponse; attempt: Deadline };
    if (limiter) {
      budget.pause();
      const { result, waitedMs } = await limiter.schedule(send, signal);
      sentRequest = result;
      if (o.metrics && waitedMs > 50) {
        o.metrics.throttled++;
        o.metrics.throttledMs += Math.round(waitedMs);
      }
    } else sentRequest = await send();
    const { res, attempt } = sentRequest;
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      throw this.#failure(error, url, options, signal, attempt, 'the whole body');
    } finally {
      attempt.dispose();
    }
    let body: unknown = text;
    if (text && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new CrmsyncError(
          'transient',
          `${o.crm}: HTTP ${res.status} with a body that is not valid JSON (${this.#clean(url)})`,
          { crm: o.crm, status: res.status },
        );
      }
    }
    if (res.ok) return { status: res.status, headers: res.headers, body: body as T };
    const vendor = this.#clean(
      (o.errorMessage?.(body, res.status) ?? vendorMessage(body) ?? res.statusText) || '',
    );
    const where = this.#where(url, options);
    const rateLimited =
      res.status === 429 ||
      (o.isRateLimited?.({ status: res.status, headers: res.headers, body }) ?? false);
    const retryAfterMs = rateLimited
      ? (o.onRateLimit?.({ headers: res.headers, body }) ??
        parseRetryAfter(res.headers.get('retry-after')))
      : undefined;
    const code = o.errorCode?.(body, res.status);
    throw statusError({
      crm: o.crm,
      status: res.status,
      where,
      vendor,
      retryAfterMs,
      code: code === undefined ? undefined : this.#clean(code),
      refusedKind: o.refusedKind,
      rateLimited,
    });
  }

  /**
   * Why an attempt failed: the caller's or the budget's abort passes through as is; the
   * attempt's own timeout and a refused, reset or closed connection are transient, retried.
   */
  #failure(
    error: unknown,
    url: string,
    options: RequestOptions,
    signal: AbortSignal,
    attempt: Deadline,
    waitingFor: string,
  ): unknown {
    const o = this.options;
    if (signal.aborted || error instanceof CrmsyncError) return error;
    if (attempt.expired())
      return new CrmsyncError(
        'transient',
        `${o.crm}: no answer within ${o.timeoutMs ?? 30_000} ms to ${this.#where(url, options)}: waited for ${waitingFor} (${this.#clean(url)})`,
        { crm: o.crm },
        { cause: error },
      );
    const e = error as Error & { code?: unknown };
    // undici puts the system code (ECONNREFUSED, ECONNRESET) on the error or on its cause.
    const code = typeof e.code === 'string' ? e.code : (e.cause as { code?: unknown })?.code;
    const why =
      typeof code === 'string' && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
    return new CrmsyncError(
      'transient',
      `${o.crm}: network error: ${this.#clean(why)} (${this.#clean(url)})`,
      { crm: o.crm, ...(typeof code === 'string' && { code }) },
      { cause: error },
    );
  }

  /** `GET /v1/contacts`, credentials and query left out. */
  #where(url: string, options: RequestOptions): string {
    return `${options.method ?? 'GET'} ${this.#clean(new URL(url).pathname)}`;
  }

  #clean(text: string): string {
    return redactUrlCredentials(redact(text, this.options.auth?.secrets() ?? []));
  }
}
