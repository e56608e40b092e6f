import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { associationsOf, batchReadAssociations, linkKey } from './associations.js';
import { ObjectStore, STANDARD_OBJECT_TYPES } from './data.js';
import { decodeAfter, encodeAfter, errorBody, HttpError } from './errors.js';
import { listObjects, searchObjects, view } from './objects-api.js';
import { RollingWindow } from './limits.js';
import { ownerRecord, ownersList } from './owners.js';

export interface FakeHubspotOptions {
  /** Records per object: `contacts`, `companies`, `deals`, `meetings`, `appointments`, or a custom type id (`2-123456`). */
  counts?: Record<string, number>;
  owners?: number;
  seed?: number;
  /** Added to every answer, in ms. */
  latencyMs?: number;
  /** Private-app token accepted as `Authorization: Bearer …`. */
  accessToken?: string;
  /** OAuth app the token endpoint accepts; issued tokens live `expiresInSeconds`. */
  oauth?: {
    clientId: string;
    clientSecret: string;
    refreshToken: string;
    expiresInSeconds?: number;
  };
  /** Requests per rolling 10 s (`null`: off). Default 100 (Free/Starter private app). */
  rateLimit?: number | null;
  /** Search requests per rolling second (`null`: off). Default 5. */
  searchRateLimit?: number | null;
  dailyLimit?: number;
  /** Search results reachable per query. Default 10,000. */
  searchCap?: number;
}

export type FakeFault =
  | { kind: 'rate-limit'; retryAfterSeconds?: number }
  | { kind: 'server-error'; count: number };

/**
 * A fake HubSpot account on 127.0.0.1 speaking CRM v3 objects/search, owners, associations v4
 * and the OAuth token endpoint, with HubSpot's limits, headers and error bodies, plus knobs for
 * tests: changes over time, added/corrupted/archived records, faults and latency.
 *
 * @example
 * const fake = await FakeHubspotServer.start({ counts: { contacts: 500 } });
 * // point the plugin at fake.baseUrl with HUBSPOT_ACCESS_TOKEN=fake.accessToken
 */
export class FakeHubspotServer {
  readonly baseUrl: string;
  readonly accessToken: string;
  readonly stats = {
    requests: 0,
    searchRequests: 0,
    rateLimited: 0,
    tokenRequests: 0,
    unauthorized: 0,
  };
  readonly #server: Server;
  readonly #options: FakeHubspotOptions;
  readonly #stores = new Map<string, ObjectStore>();
  readonly #names = new Map<string, string>();
  readonly #tokens = new Map<string, number>();
  readonly #faults = new Map<string, FakeFault[]>();
  readonly #pageSizes = new Map<string, number[]>();
  readonly #faultDelay = new Map<string, number>();
  /** Links removed by `unlink`, both directions (see associations.ts `linkKey`). */
  readonly #unlinked = new Set<string>();
  #general: RollingWindow | null;
  #search: RollingWindow | null;
  #daily = 0;
  readonly #seed: number;
  readonly #owners: number;
  latencyMs: number;
  searchCap: number;

  private constructor(server: Server, baseUrl: string, options: FakeHubspotOptions) {
    this.#server = server;
    this.baseUrl = baseUrl;
    this.#options = options;
    this.accessToken = options.accessToken ?? 'pat-na1-fake-0000-token';
    this.#seed = options.seed ?? 1;
    this.#owners = options.owners ?? 5;
    this.latencyMs = options.latencyMs ?? 0;
    this.searchCap = options.searchCap ?? 10_000;
    const rate = options.rateLimit === undefined ? 100 : options.rateLimit;
    const search = options.searchRateLimit === undefined ? 5 : options.searchRateLimit;
    this.#general = rate === null ? null : new RollingWindow(rate, 10_000);
    this.#search = search === null ? null : new RollingWindow(search, 1_000);
    const epoch = Date.now();
    for (const [name, id] of Object.entries(STANDARD_OBJECT_TYPES)) this.#names.set(name, id);
    for (const [key, count] of Object.entries(options.counts ?? {})) {
      const type = this.#names.get(key) ?? key;
      this.#stores.set(
        type,
        new ObjectStore({
          objectType: type,
          count,
          seed: this.#seed,
          epoch,
          ownerCount: this.#owners,
        }),
      );
    }
    for (const type of Object.values(STANDARD_OBJECT_TYPES))
      if (!this.#stores.has(type))
        this.#stores.set(
          type,
          new ObjectStore({
            objectType: type,
            count: 0,
            seed: this.#seed,
            epoch,
            ownerCount: this.#owners,
          }),
        );
  }

  static async start(options: FakeHubspotOptions = {}): Promise<FakeHubspotServer> {
    let fake: FakeHubspotServer | undefined;
    const server = createServer((req, res) => {
      if (fake) void fake.#handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeHubspotServer(server, `http://127.0.0.1:${port}`, options);
    return fake;
  }

  /** The records of an object type (name or id), for tests to read and change. */
  objects(type: string): ObjectStore {
    const store = this.#stores.get(this.#names.get(type) ?? type);
    if (!store) throw new Error(`the fake has no object type ${type}`);
    return store;
  }

  /** Sets the limits at runtime (`null`: off). */
  setRateLimits(limits: { rateLimit?: number | null; searchRateLimit?: number | null }) {
    if (limits.rateLimit !== undefined)
      this.#general =
        limits.rateLimit === null ? null : new RollingWindow(limits.rateLimit, 10_000);
    if (limits.searchRateLimit !== undefined)
      this.#search =
        limits.searchRateLimit === null ? null : new RollingWindow(limits.searchRateLimit, 1_000);
  }

  /**
   * Queues faults for the next requests touching `type` (name or id), or for those after the
   * next `afterRequests` of them (to break a run part-way through).
   */
  injectFault(fault: FakeFault, type = 'contacts', afterRequests = 0) {
    const key = this.#names.get(type) ?? type;
    const list = this.#faults.get(key) ?? [];
    this.#faultDelay.set(key, afterRequests);
    if (fault.kind === 'server-error')
      for (let i = 0; i < fault.count; i++) list.push({ kind: 'server-error', count: 1 });
    else list.push(fault);
    this.#faults.set(key, list);
  }

  /** `limit` of every list and search request of `type`, in order. */
  pageSizes(type = 'contacts'): number[] {
    return [...(this.#pageSizes.get(this.#names.get(type) ?? type) ?? [])];
  }

  /** Makes every OAuth token issued so far invalid (a revoked or expired token answers 401). */
  expireTokens() {
    for (const token of this.#tokens.keys()) this.#tokens.set(token, 0);
  }

  /** Changes the `count` records with the highest ids that are not archived; their change stamp becomes `at`. */
  mutate(type: string, count: number, at = new Date()): string[] {
    const store = this.objects(type);
    const ids: number[] = [];
    for (let i = store.size; i >= 1 && ids.length < count; i--)
      if (!store.isArchived(i)) ids.push(i);
    store.touch(ids, at, (o) => {
      o.properties.hs_fake_revision = String(Number(o.properties.hs_fake_revision ?? '0') + 1);
    });
    return ids.map(String);
  }

  /**
   * Removes every association between two objects, as a user unlinking them does; HubSpot
   * moves both objects' change stamps to `at`.
   */
  unlink(fromType: string, fromId: number, toType: string, toId: number, at = new Date()): void {
    const from = this.objects(fromType);
    const to = this.objects(toType);
    this.#unlinked.add(linkKey(from.objectType, fromId, to.objectType, toId));
    this.#unlinked.add(linkKey(to.objectType, toId, from.objectType, fromId));
    from.touch([fromId], at);
    to.touch([toId], at);
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    let status = 200;
    let body: unknown;
    let headers: Record<string, string> = {};
    try {
      if (url.pathname === '/oauth/v1/token' && req.method === 'POST') {
        body = this.#token(new URLSearchParams(raw));
      } else {
        this.stats.requests++;
        this.#authorize(req.headers.authorization);
        const search = /\/search$/.test(url.pathname) && req.method === 'POST';
        headers = this.#limit(search);
        const type = this.#typeOf(url.pathname);
        if (type) this.#fault(type);
        const json = raw ? this.#json(raw) : {};
        ({ status, body } = this.#route(req.method ?? 'GET', url, json));
      }
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      status = error.status;
      body = error.body;
      headers = { ...headers, ...error.headers };
    }
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  #json(raw: string): Record<string, unknown> {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new HttpError(400, errorBody('Invalid input JSON on line 1', 'VALIDATION_ERROR'));
    }
  }

  #token(form: URLSearchParams): unknown {
    this.stats.tokenRequests++;
    const o = this.#options.oauth;
    if (
      !o ||
      form.get('grant_type') !== 'refresh_token' ||
      form.get('client_id') !== o.clientId ||
      form.get('client_secret') !== o.clientSecret ||
      form.get('refresh_token') !== o.refreshToken
    )
      throw new HttpError(400, {
        status: 'BAD_REFRESH_TOKEN',
        message: 'missing or invalid refresh token',
        correlationId: randomUUID(),
      });
    const expiresIn = o.expiresInSeconds ?? 1800;
    const token = `fake-oauth-${randomUUID()}`;
    this.#tokens.set(token, Date.now() + expiresIn * 1000);
    return {
      token_type: 'bearer',
      access_token: token,
      refresh_token: o.refreshToken,
      expires_in: expiresIn,
    };
  }

  #authorize(header: string | undefined) {
    const match = /^Bearer (.+)$/.exec(header ?? '');
    const token = match?.[1];
    if (token && token === this.accessToken) return;
    const expiresAt = token ? this.#tokens.get(token) : undefined;
    if (expiresAt !== undefined && expiresAt > Date.now()) return;
    this.stats.unauthorized++;
    if (expiresAt !== undefined)
      throw new HttpError(
        401,
        errorBody(
          'The OAuth token used to make this call expired 0 second(s) ago.',
          'EXPIRED_AUTHENTICATION',
        ),
      );
    throw new HttpError(
      401,
      errorBody(
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
        'INVALID_AUTHENTICATION',
      ),
    );
  }

  /** Counts the request against its bucket; search answers carry no rate-limit headers. */
  #limit(search: boolean): Record<string, string> {
    const now = Date.now();
    const rateLimited = (policyName: string, headers: Record<string, string> = {}) => {
      this.stats.rateLimited++;
      const which =
        policyName === 'DAILY'
          ? 'daily'
          : policyName === 'SECONDLY'
            ? 'secondly'
            : 'ten_secondly_rolling';
      return new HttpError(
        429,
        {
          status: 'error',
          message: `You have reached your ${which} limit.`,
          errorType: 'RATE_LIMIT',
          correlationId: randomUUID(),
          policyName,
          requestId: randomUUID(),
        },
        headers,
      );
    };
    if (search) {
      this.stats.searchRequests++;
      if (this.#search && !this.#search.take(now)) throw rateLimited('SECONDLY');
      return {};
    }
    const daily = this.#options.dailyLimit ?? 250_000;
    if (this.#daily >= daily) throw rateLimited('DAILY');
    const g = this.#general;
    const headers = (): Record<string, string> =>
      g
        ? {
            'X-HubSpot-RateLimit-Daily': String(daily),
            'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, daily - this.#daily)),
            'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
            'X-HubSpot-RateLimit-Max': String(g.max),
            'X-HubSpot-RateLimit-Remaining': String(g.remaining(now)),
            'X-HubSpot-RateLimit-Secondly': String(Math.ceil(g.max / 10)),
            'X-HubSpot-RateLimit-Secondly-Remaining': String(
              Math.max(0, Math.ceil(g.max / 10) - g.within(1000, now)),
            ),
          }
        : {};
    if (g && !g.take(now)) throw rateLimited('TEN_SECONDLY_ROLLING', headers());
    this.#daily++;
    return headers();
  }

  #typeOf(path: string): string | undefined {
    const m = /^\/crm\/v[34]\/(?:objects|associations)\/([^/]+)/.exec(path);
    return m?.[1]
      ? (this.#names.get(m[1]) ?? m[1])
      : path.startsWith('/crm/v3/owners')
        ? 'owners'
        : undefined;
  }

  #fault(type: string) {
    const delay = this.#faultDelay.get(type) ?? 0;
    if (delay > 0) {
      this.#faultDelay.set(type, delay - 1);
      return;
    }
    const fault = this.#faults.get(type)?.shift();
    if (!fault) return;
    if (fault.kind === 'server-error')
      throw new HttpError(
        502,
        errorBody('Bad Gateway: the fake injected a server error', 'INTERNAL_ERROR'),
      );
    this.stats.rateLimited++;
    throw new HttpError(
      429,
      {
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        correlationId: randomUUID(),
        policyName: 'TEN_SECONDLY_ROLLING',
        requestId: randomUUID(),
      },
      fault.retryAfterSeconds !== undefined
        ? { 'Retry-After': String(fault.retryAfterSeconds) }
        : {},
    );
  }

  #route(
    method: string,
    url: URL,
    json: Record<string, unknown>,
  ): { status: number; body: unknown } {
    const p = url.pathname;
    const get = method === 'GET';
    if (get && p === '/crm/v3/owners') return { status: 200, body: ownersList(url, this.#owners) };
    const owner = /^\/crm\/v3\/owners\/(\d+)$/.exec(p);
    if (get && owner) return { status: 200, body: ownerRecord(Number(owner[1]), this.#owners) };
    const search = /^\/crm\/v3\/objects\/([^/]+)\/search$/.exec(p);
    if (method === 'POST' && search)
      return {
        status: 200,
        body: this.#searchPage(this.#store(search[1] as string), json),
      };
    const list = /^\/crm\/v3\/objects\/([^/]+)$/.exec(p);
    if (get && list)
      return { status: 200, body: this.#listPage(this.#store(list[1] as string), url) };
    const one = /^\/crm\/v3\/objects\/([^/]+)\/(\d+)$/.exec(p);
    if (get && one) {
      const store = this.#store(one[1] as string);
      const o = store.get(Number(one[2]));
      if (!o || (o.archived && url.searchParams.get('archived') !== 'true'))
        throw new HttpError(
          404,
          errorBody('Object not found.  objectId are usually numeric.', 'OBJECT_NOT_FOUND'),
        );
      return { status: 200, body: view(store, o, url.searchParams.get('properties')) };
    }
    const batch = /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/read$/.exec(p);
    if (method === 'POST' && batch)
      return batchReadAssociations(
        this.#store(batch[1] as string).objectType,
        this.#store(batch[2] as string).objectType,
        json,
        this.#count,
        this.#seed,
        this.#unlinked,
      );
    const assoc = /^\/crm\/v4\/objects\/([^/]+)\/(\d+)\/associations\/([^/]+)$/.exec(p);
    if (get && assoc) {
      const from = this.#store(assoc[1] as string).objectType;
      const to = this.#store(assoc[3] as string).objectType;
      const all = associationsOf(
        from,
        Number(assoc[2]),
        to,
        this.#count,
        this.#seed,
        this.#unlinked,
      );
      const limit = Math.min(500, Number(url.searchParams.get('limit') ?? 500));
      const start = decodeAfter(url.searchParams.get('after'));
      const results = all.slice(start, start + limit);
      const next =
        start + limit < all.length
          ? { paging: { next: { after: encodeAfter(start + limit), link: null } } }
          : {};
      return { status: 200, body: { results, ...next } };
    }
    throw new HttpError(404, errorBody(`Unable to route ${method} ${p}`, 'OBJECT_NOT_FOUND'));
  }

  #count = (type: string) => this.#stores.get(type)?.size ?? 0;

  #store(segment: string): ObjectStore {
    const store = this.#stores.get(this.#names.get(segment) ?? segment);
    if (!store)
      throw new HttpError(
        400,
        errorBody(`Unable to infer object type from: ${segment}`, 'VALIDATION_ERROR'),
      );
    return store;
  }

  #listPage(store: ObjectStore, url: URL) {
    return listObjects(store, url, this.#pageSize(store, url.searchParams.get('limit'), 10, 100));
  }

  #searchPage(store: ObjectStore, body: Record<string, unknown>) {
    return searchObjects(store, body, this.#pageSize(store, body.limit, 10, 200), this.searchCap);
  }

  #pageSize(store: ObjectStore, raw: unknown, fallback: number, max: number): number {
    const limit = raw === undefined || raw === null || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > max)
      throw new HttpError(
        400,
        errorBody(`limit must be between 1 and ${max} (got ${String(raw)})`, 'VALIDATION_ERROR'),
      );
    const sizes = this.#pageSizes.get(store.objectType) ?? [];
    sizes.push(limit);
    this.#pageSizes.set(store.objectType, sizes);
    return limit;
  }
}
