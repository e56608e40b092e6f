import { setTimeout as sleep } from 'node:timers/promises';
import {
  CrmsyncError,
  type Logger,
  parseRetryAfter,
  type RequestMetrics,
  statusError,
} from '@crmsync/core';
import type { Agent, request } from 'undici';
import { marketsharpAuthorization } from './hmac.js';
import { type ODataPage, readAtom, readJsonVerbose, type ValueReader } from './odata.js';

export interface MarketSharpClientOptions {
  baseUrl: string;
  companyId: string;
  userKey: string;
  secretKey: string;
  /** `json` asks for JSON verbose; `atom` for the service's default Atom XML. */
  format: 'json' | 'atom';
  metrics?: RequestMetrics;
  logger?: Logger;
  /** Per attempt, to the last byte. */
  timeoutMs?: number;
  /** Attempts after the first for 5xx, 429, sporadic 400/404 and dropped connections. */
  retries?: number;
  /** Wait before retrying a 503 without Retry-After (the seeds waited 10 s), doubled per attempt. */
  retryWaitMs?: number;
}

/** undici and the keep-alive pool the client's requests share. */
interface Http {
  agent: Agent;
  request: typeof request;
}

/** A sporadic 400/404 is retried this many times before it counts as a refused request. */
const SPORADIC_RETRIES = 2;

/**
 * MarketSharp's OData v2 service (WCF Data Services): every request signed anew with the
 * HMAC header, answers parsed as they stream in (JSON verbose, or Atom when the server sends
 * that), 503 and the sporadic 400/404 the seeds met retried.
 */
export class MarketSharpClient {
  readonly #o: MarketSharpClientOptions;
  readonly #origin: string;
  #http: Promise<Http> | undefined;

  constructor(options: MarketSharpClientOptions) {
    this.#o = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
    this.#origin = new URL(this.#o.baseUrl).origin;
  }

  get baseUrl(): string {
    return this.#o.baseUrl;
  }

  /** `<base>/<set>?…` with OData's `$` options encoded as the service expects. */
  url(set: string, query: Record<string, string | number | undefined>): string {
    const parts = Object.entries(query)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
    return `${this.#o.baseUrl}/${set}${parts.length ? `?${parts.join('&')}` : ''}`;
  }

  /**
   * undici, imported on the first request rather than with the plugin: `crmsync list` and
   * syncs of other CRMs load this plugin without undici's modules.
   */
  #undici(): Promise<Http> {
    this.#http ??= import('undici').then(({ Agent, request }) => ({
      agent: new Agent({ keepAliveTimeout: 10_000, connections: 4 }),
      request,
    }));
    return this.#http;
  }

  /** One page of an entity set (a URL from `url` or a server's next link), retried. */
  async page(url: string, reader: ValueReader, signal: AbortSignal): Promise<ODataPage> {
    const o = this.#o;
    const http = await this.#undici();
    const retries = o.retries ?? 5;
    let sporadic = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#once(http, url, reader, signal);
      } catch (error) {
        if (signal.aborted) throw error;
        const e = error instanceof CrmsyncError ? error : this.#network(error, url);
        const status = e.context.status;
        const isSporadic = (status === 400 || status === 404) && sporadic < SPORADIC_RETRIES;
        const retryable = e.kind === 'transient' || e.kind === 'rate_limit' || isSporadic;
        if (!retryable || attempt >= retries) throw e;
        if (isSporadic) sporadic++;
        const base = status === 503 ? (o.retryWaitMs ?? 10_000) : 250;
        const wait = e.context.retryAfterMs ?? Math.min(60_000, base * 2 ** attempt);
        if (o.metrics) {
          o.metrics.retries++;
          if (e.context.retryAfterMs !== undefined || e.kind === 'rate_limit') {
            o.metrics.throttled++;
            o.metrics.throttledMs += wait;
          }
        }
        o.logger?.warn(`${e.message}; retrying in ${wait} ms`, { attempt: attempt + 2 });
        await sleep(wait, undefined, { signal }).catch(() => {});
        if (signal.aborted) throw signal.reason ?? e;
      }
    }
  }

  async #once(
    http: Http,
    url: string,
    reader: ValueReader,
    signal: AbortSignal,
  ): Promise<ODataPage> {
    const o = this.#o;
    const timeout = AbortSignal.timeout(o.timeoutMs ?? 60_000);
    const both = AbortSignal.any([signal, timeout]);
    // The signature covers the time: a fresh header for every attempt. Only the service's
    // own origin gets it, never a host a next link points at.
    const auth =
      new URL(url).origin === this.#origin
        ? { authorization: marketsharpAuthorization(o.companyId, o.userKey, o.secretKey) }
        : {};
    if (o.metrics) o.metrics.apiCalls++;
    const res = await http.request(url, {
      method: 'GET',
      dispatcher: http.agent,
      headers: {
        accept:
          o.format === 'atom'
            ? 'application/atom+xml,application/xml'
            : 'application/json;odata=verbose',
        dataserviceversion: '2.0',
        maxdataserviceversion: '2.0',
        ...auth,
      },
      signal: both,
    });
    const type = String(res.headers['content-type'] ?? '');
    if (res.statusCode >= 300) {
      const text = (await res.body.text()).slice(0, 2000);
      const retryAfterMs = parseRetryAfter(headerValue(res.headers['retry-after']));
      const error = statusError({
        crm: 'marketsharp',
        status: res.statusCode,
        where: `GET ${new URL(url).pathname}`,
        vendor: this.#clean(errorMessage(text) ?? ''),
        retryAfterMs,
      });
      // A 503 may say when to come back too: it is waited out like a 429's.
      if (retryAfterMs !== undefined) error.context.retryAfterMs = retryAfterMs;
      throw error;
    }
    try {
      return type.includes('xml')
        ? await readAtom(res.body, reader)
        : await readJsonVerbose(res.body, reader);
    } catch (error) {
      if (signal.aborted) throw error;
      res.body.destroy();
      if (timeout.aborted)
        throw new CrmsyncError(
          'transient',
          `marketsharp: no whole answer within ${o.timeoutMs ?? 60_000} ms (GET ${new URL(url).pathname})`,
          { crm: 'marketsharp' },
        );
      throw new CrmsyncError(
        'transient',
        `marketsharp: an answer that is not ${type.includes('xml') ? 'Atom XML' : 'JSON'} (GET ${new URL(url).pathname}): ${this.#clean((error as Error).message)}`,
        { crm: 'marketsharp' },
        { cause: error },
      );
    }
  }

  #network(error: unknown, url: string): CrmsyncError {
    const e = error as Error & { code?: string };
    return new CrmsyncError(
      'transient',
      `marketsharp: network error on GET ${new URL(url).pathname}: ${this.#clean(e.message)}${e.code ? ` (${e.code})` : ''}`,
      { crm: 'marketsharp', ...(e.code && { code: e.code }) },
      { cause: error },
    );
  }

  #clean(text: string): string {
    let out = text;
    for (const secret of [this.#o.userKey, this.#o.secretKey])
      if (secret.length >= 4) out = out.split(secret).join('[redacted]');
    return out;
  }

  async close(): Promise<void> {
    if (this.#http) await (await this.#http).agent.close();
  }
}

function headerValue(v: string | string[] | undefined): string | null {
  return v === undefined ? null : Array.isArray(v) ? (v[0] ?? null) : v;
}

/** The message of a WCF Data Services error, JSON (`error.message.value`) or XML (`m:message`). */
export function errorMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: { value?: string } | string } };
    const m = body.error?.message;
    if (typeof m === 'string') return m;
    if (m?.value) return m.value;
  } catch {
    const xml = /<(?:\w+:)?message[^>]*>([^<]*)</.exec(text);
    if (xml?.[1]) return xml[1];
  }
  return text.length > 0 && text.length < 300 ? text : undefined;
}
