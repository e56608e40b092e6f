import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeAuth, isAuthorized, credentialOf } from './auth.js';
import { FakeClock } from './clock.js';
import { type FakeFault, FaultQueue } from './faults.js';
import { type RateLimitRule, RateLimits } from './rate-limit.js';
import { type FakeHandler, FakeRouter, type RouteOptions } from './router.js';
import { type FakeReply, type FakeRequest, FakeHttpError, reply } from './types.js';

export interface FakeApiOptions {
  /** The vendor's name, in the fake's own error messages. */
  name: string;
  auth?: FakeAuth;
  /** Added before every answer, in ms (or per request). Also settable later. */
  latencyMs?: number | ((request: FakeRequest) => number);
  clock?: FakeClock;
  rateLimits?: RateLimitRule[];
  /** Headers on every answer. Default `content-type: application/json; charset=utf-8`. */
  headers?: Record<string, string>;
  /** The vendor's answer to a path no route serves. */
  notFound?: (request: FakeRequest) => FakeReply;
  /** The vendor's answer to a known path asked with another method. Default: `notFound`. */
  methodNotAllowed?: (request: FakeRequest) => FakeReply;
  /** The vendor's answer to a fault queued without a body. */
  faultBody?: (status: number, request: FakeRequest) => unknown;
  /** The answer when a handler throws something other than `FakeHttpError`. */
  onError?: (request: FakeRequest, error: unknown) => FakeReply;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  /** On the fake's clock, when the answer was decided. */
  at: number;
  route?: string;
}

export interface ListenOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Lets the process exit while the fake is open (a fake run inside the app itself). */
  unref?: boolean;
  keepAliveTimeoutMs?: number;
}

/**
 * A vendor API on 127.0.0.1 for tests: routes with path params, an auth check, rate-limit
 * windows, a fault queue, latency, a request log, and a clock tests can move. The vendor's
 * fake declares its routes and error bodies; everything around them is here.
 *
 * @example
 * const api = new FakeApi({ name: 'acme', auth: { kind: 'bearer', token: 'secret' } });
 * api.get('/v1/leads/:id', (req) => ok({ id: req.params.id }));
 * const baseUrl = await api.listen();
 * api.faults.push({ status: 503, times: 2 });
 * await api.close();
 */
export class FakeApi {
  readonly router = new FakeRouter();
  readonly faults = new FaultQueue();
  readonly clock: FakeClock;
  readonly limits: RateLimits;
  readonly requests: LoggedRequest[] = [];
  auth: FakeAuth | undefined;
  latencyMs: number | ((request: FakeRequest) => number);
  readonly #options: FakeApiOptions;
  readonly #stalled = new Set<() => void>();
  #server: Server | undefined;
  #url: string | undefined;

  constructor(options: FakeApiOptions) {
    this.#options = options;
    this.auth = options.auth;
    this.latencyMs = options.latencyMs ?? 0;
    this.clock = options.clock ?? new FakeClock();
    this.limits = new RateLimits(this.clock, options.rateLimits);
  }

  route(method: string, pattern: string | RegExp, handler: FakeHandler, options?: RouteOptions) {
    this.router.add(method, pattern, handler, options);
    return this;
  }

  get(pattern: string | RegExp, handler: FakeHandler, options?: RouteOptions) {
    return this.route('GET', pattern, handler, options);
  }

  post(pattern: string | RegExp, handler: FakeHandler, options?: RouteOptions) {
    return this.route('POST', pattern, handler, options);
  }

  /** Shorthand for `faults.push`. */
  fault(...faults: FakeFault[]): void {
    this.faults.push(...faults);
  }

  /** Logged requests, optionally only those `filter` keeps. */
  count(filter?: (request: LoggedRequest) => boolean): number {
    return filter ? this.requests.filter(filter).length : this.requests.length;
  }

  /** `http://127.0.0.1:<port>` once listening. */
  get url(): string {
    if (!this.#url) throw new Error(`fake ${this.#options.name} API is not listening`);
    return this.#url;
  }

  async listen(options: ListenOptions = {}): Promise<string> {
    const server = createServer((req, res) => {
      void this.#serve(req, res);
    });
    if (options.keepAliveTimeoutMs !== undefined)
      server.keepAliveTimeout = options.keepAliveTimeoutMs;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    if (options.unref) server.unref();
    this.#server = server;
    this.#url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.#url;
  }

  /** Drops open connections (stalled requests included) and stops listening. */
  async close(): Promise<void> {
    for (const release of this.#stalled) release();
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The answer to one request, without the socket: what `listen` serves. */
  async dispatch(request: FakeRequest): Promise<FakeReply> {
    const latency = typeof this.latencyMs === 'function' ? this.latencyMs(request) : this.latencyMs;
    if (latency > 0) await sleep(latency);
    const match = this.router.match(request.method, request.path);
    if (match && match !== 'method') {
      request.params = match.params;
      request.route = match.route.pattern;
    }
    const open = !!match && match !== 'method' && match.route.options.auth === false;
    let limitHeaders: Record<string, string> = {};
    try {
      if (!open) {
        if (this.auth && !isAuthorized(this.auth, request))
          return (
            this.auth.reject?.(request, credentialOf(this.auth, request)) ??
            reply(401, { error: 'unauthorized' })
          );
        const limited = this.limits.take(request);
        if ('rejected' in limited) return limited.rejected;
        limitHeaders = limited.headers;
      }
      if (!match) return this.#notFound(request);
      if (match === 'method')
        return (this.#options.methodNotAllowed ?? ((r) => this.#notFound(r)))(request);
      const fault = this.faults.take(request, open);
      if (fault?.stall === 'forever') await new Promise<void>((r) => this.#stalled.add(r));
      else if (fault?.stall) await sleep(fault.stall);
      if (fault?.status !== undefined)
        return {
          status: fault.status,
          body: fault.body ?? this.#options.faultBody?.(fault.status, request),
          headers: { ...limitHeaders, ...fault.headers },
        };
      const answer = await match.route.handler(request);
      return { ...answer, headers: { ...limitHeaders, ...answer.headers } };
    } catch (error) {
      if (error instanceof FakeHttpError)
        return { ...error.reply, headers: { ...limitHeaders, ...error.headers } };
      return (
        this.#options.onError?.(request, error) ??
        reply(500, { error: `fake ${this.#options.name} failed: ${String(error)}` })
      );
    }
  }

  #notFound(request: FakeRequest): FakeReply {
    return (
      this.#options.notFound?.(request) ??
      reply(404, {
        error: `fake ${this.#options.name} has no route ${request.method} ${request.path}`,
      })
    );
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.#url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      url,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      params: {},
      body: Buffer.concat(chunks).toString('utf8'),
    };
    const answer = await this.dispatch(request);
    const matched = this.router.match(request.method, request.path);
    const logged = !(matched && matched !== 'method' && matched.route.options.log === false);
    if (logged)
      this.requests.push({
        method: request.method,
        path: request.path,
        query: request.query,
        status: answer.status,
        at: this.clock.now(),
        ...(request.route !== undefined && { route: request.route }),
      });
    if (res.destroyed || res.headersSent) return;
    // Bytes (a ZIP download) go out as they are; strings as text; anything else as JSON.
    const text =
      answer.body === undefined
        ? ''
        : typeof answer.body === 'string' || answer.body instanceof Uint8Array
          ? answer.body
          : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      ...this.#options.headers,
      ...answer.headers,
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
