import { type FakeHubspotDeveloper, mountHubspotWebhookApi } from './webhooks-api.js';
import { FakeApi, type FakeRequest, formBody, ok, reply } from '@crmsync/core/fake-api';
import { associationsOf, batchReadAssociations, linkKey } from './associations.js';
import { ObjectStore, STANDARD_OBJECT_TYPES } from './data.js';
import { decodeAfter, encodeAfter, errorBody, HttpError } from './errors.js';
import { dailyRule, generalRule, rateLimitedBody, searchRule } from './limits.js';
import { type OAuthApp, OAuthTokens } from './oauth.js';
import { batchReadObjects, listObjects, searchObjects, view } from './objects-api.js';
import { ownerRecord, ownersList } from './owners.js';
import { batchRead, batchUpdate, propertyDefinitions } from './write-api.js';

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
  oauth?: OAuthApp;
  /** Requests per rolling 10 s (`null`: off). Default 100 (Free/Starter private app). */
  rateLimit?: number | null;
  /** Search requests per rolling second (`null`: off). Default 5. */
  searchRateLimit?: number | null;
  dailyLimit?: number;
  /** Search results reachable per query. Default 10,000. */
  searchCap?: number;
  /** The app and developer API key of the webhooks API (`/webhooks/v3/{appId}/…`). */
  developer?: FakeHubspotDeveloper;
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
  /** The kit underneath: request log, fault queue, limits, latency, clock. */
  readonly api: FakeApi;
  readonly accessToken: string;
  readonly #stores = new Map<string, ObjectStore>();
  readonly #names = new Map<string, string>();
  readonly #oauth: OAuthTokens;
  readonly #pageSizes = new Map<string, number[]>();
  /** Links removed by `unlink`, both directions (see associations.ts `linkKey`). */
  readonly #unlinked = new Set<string>();
  readonly #seed: number;
  readonly #owners: number;
  /** Every batch update's body, in order (what tests count writes with). */
  readonly #writes: Array<{ type: string; body: Record<string, unknown> }> = [];
  #lastWrite = 0;
  searchCap: number;

  private constructor(options: FakeHubspotOptions) {
    this.accessToken = options.accessToken ?? 'pat-na1-fake-0000-token';
    this.#seed = options.seed ?? 1;
    this.#owners = options.owners ?? 5;
    this.searchCap = options.searchCap ?? 10_000;
    this.#oauth = new OAuthTokens(options.oauth);
    this.api = new FakeApi({
      name: 'hubspot',
      latencyMs: options.latencyMs ?? 0,
      headers: { 'content-type': 'application/json;charset=utf-8' },
      auth: {
        kind: 'bearer',
        token: (t) => t === this.accessToken || this.#oauth.valid(t),
        reject: (_, token) => this.#oauth.unauthorized(token),
      },
      rateLimits: [dailyRule(options.dailyLimit ?? 250_000)],
      notFound: (r) =>
        reply(404, errorBody(`Unable to route ${r.method} ${r.path}`, 'OBJECT_NOT_FOUND')),
    });
    this.setRateLimits({
      rateLimit: options.rateLimit === undefined ? 100 : options.rateLimit,
      searchRateLimit: options.searchRateLimit === undefined ? 5 : options.searchRateLimit,
    });
    const epoch = Date.now();
    for (const [name, id] of Object.entries(STANDARD_OBJECT_TYPES)) this.#names.set(name, id);
    const counts = new Map(Object.entries(options.counts ?? {}).map(([k, n]) => [this.#id(k), n]));
    for (const type of Object.values(STANDARD_OBJECT_TYPES))
      counts.set(type, counts.get(type) ?? 0);
    for (const [type, count] of counts)
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
    this.#routes();
    this.developer = options.developer ?? {
      appId: 4_200_001,
      apiKey: 'fake-hubspot-developer-key',
    };
    this.webhookApp = mountHubspotWebhookApi(this.api, this.developer);
  }

  /** The developer app whose webhook settings and subscriptions the fake keeps. */
  readonly developer: FakeHubspotDeveloper;
  readonly webhookApp: ReturnType<typeof mountHubspotWebhookApi>;

  static async start(options: FakeHubspotOptions = {}): Promise<FakeHubspotServer> {
    const fake = new FakeHubspotServer(options);
    await fake.api.listen();
    return fake;
  }

  get baseUrl(): string {
    return this.api.url;
  }

  /** Counts from the request log (API calls exclude the token endpoint). */
  get stats() {
    const log = this.api.requests;
    const token = (r: { path: string }) => r.path === '/oauth/v1/token';
    return {
      requests: log.filter((r) => !token(r)).length,
      searchRequests: log.filter(
        (r) => r.method === 'POST' && /\/search$/.test(r.path) && r.status !== 401,
      ).length,
      rateLimited: log.filter((r) => r.status === 429).length,
      tokenRequests: log.filter(token).length,
      unauthorized: log.filter((r) => r.status === 401).length,
    };
  }

  /** The records of an object type (name or id), for tests to read and change. */
  objects(type: string): ObjectStore {
    const store = this.#stores.get(this.#id(type));
    if (!store) throw new Error(`the fake has no object type ${type}`);
    return store;
  }

  /** Sets the limits at runtime (`null`: off). */
  setRateLimits(limits: { rateLimit?: number | null; searchRateLimit?: number | null }) {
    const { rateLimit, searchRateLimit } = limits;
    if (rateLimit !== undefined)
      this.api.limits.set(
        'ten-secondly',
        rateLimit === null ? null : generalRule(rateLimit, () => this.api.limits),
      );
    if (searchRateLimit !== undefined)
      this.api.limits.set('search', searchRateLimit === null ? null : searchRule(searchRateLimit));
  }

  /**
   * Queues faults for the next requests touching `type` (name or id), or for those after the
   * next `afterRequests` of them (to break a run part-way through).
   */
  injectFault(fault: FakeFault, type = 'contacts', afterRequests = 0) {
    const key = this.#id(type);
    const match = (r: FakeRequest) => this.#typeOf(r.path) === key;
    if (fault.kind === 'server-error')
      this.api.fault({
        status: 502,
        body: errorBody('Bad Gateway: the fake injected a server error', 'INTERNAL_ERROR'),
        times: fault.count,
        after: afterRequests,
        match,
      });
    else
      this.api.fault({
        status: 429,
        body: rateLimitedBody('TEN_SECONDLY_ROLLING'),
        headers:
          fault.retryAfterSeconds !== undefined
            ? { 'Retry-After': String(fault.retryAfterSeconds) }
            : {},
        after: afterRequests,
        match,
      });
  }

  /** How many batch updates carried the record `id` of `type` so far. */
  writesTo(type: string, id: string): number {
    const key = this.#id(type);
    return this.#writes.filter(
      (w) =>
        w.type === key &&
        (w.body.inputs as Array<{ id?: unknown }> | undefined)?.some((i) => String(i.id) === id),
    ).length;
  }

  /** Batch update calls of `type` so far. */
  writeCalls(type: string): number {
    const key = this.#id(type);
    return this.#writes.filter((w) => w.type === key).length;
  }

  /** `limit` of every list and search request of `type`, in order. */
  pageSizes(type = 'contacts'): number[] {
    return [...(this.#pageSizes.get(this.#id(type)) ?? [])];
  }

  /** Makes every OAuth token issued so far invalid (a revoked or expired token answers 401). */
  expireTokens() {
    this.#oauth.expireAll();
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
    return this.api.close();
  }

  #id = (type: string) => this.#names.get(type) ?? type;

  #typeOf(path: string): string | undefined {
    const m = /^\/crm\/v[34]\/(?:objects|associations)\/([^/]+)/.exec(path);
    return m?.[1] ? this.#id(m[1]) : path.startsWith('/crm/v3/owners') ? 'owners' : undefined;
  }

  #json(r: FakeRequest): Record<string, unknown> {
    try {
      return r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {};
    } catch {
      throw new HttpError(400, errorBody('Invalid input JSON on line 1', 'VALIDATION_ERROR'));
    }
  }

  #routes() {
    const p = (r: FakeRequest, name: string) => r.params[name] as string;
    this.api
      .post('/oauth/v1/token', (r) => this.#oauth.issue(formBody(r)), { auth: false })
      .get('/crm/v3/owners', (r) => ok(ownersList(r.url, this.#owners)))
      .get(/^\/crm\/v3\/owners\/(?<id>\d+)$/, (r) =>
        ok(ownerRecord(Number(p(r, 'id')), this.#owners)),
      )
      .get('/crm/v3/properties/:type', (r) =>
        ok({ results: propertyDefinitions(this.#store(p(r, 'type')), this.#owners) }),
      )
      .post('/crm/v3/objects/:type/batch/read', (r) =>
        batchRead(this.#store(p(r, 'type')), this.#json(r)),
      )
      .post('/crm/v3/objects/:type/batch/update', (r) => {
        const store = this.#store(p(r, 'type'));
        this.#writes.push({ type: store.objectType, body: this.#json(r) });
        return batchUpdate(
          store,
          this.#json(r),
          propertyDefinitions(store, this.#owners),
          this.#writeStamp(),
        );
      })
      .post('/crm/v3/objects/:type/search', (r) => {
        const store = this.#store(p(r, 'type'));
        const body = this.#json(r);
        const limit = this.#pageSize(store, body.limit, 10, 200);
        return ok(searchObjects(store, body, limit, this.searchCap));
      })
      .post('/crm/v3/objects/:type/batch/read', (r) => {
        const store = this.#store(p(r, 'type'));
        return batchReadObjects(store, this.#json(r));
      })
      .get('/crm/v3/objects/:type', (r) => {
        const store = this.#store(p(r, 'type'));
        return ok(listObjects(store, r.url, this.#pageSize(store, r.query.get('limit'), 10, 100)));
      })
      .get(/^\/crm\/v3\/objects\/(?<type>[^/]+)\/(?<id>\d+)$/, (r) => {
        const store = this.#store(p(r, 'type'));
        const o = store.get(Number(p(r, 'id')));
        if (!o || (o.archived && r.query.get('archived') !== 'true'))
          throw new HttpError(
            404,
            errorBody('Object not found.  objectId are usually numeric.', 'OBJECT_NOT_FOUND'),
          );
        return ok(view(store, o, r.query.get('properties')));
      })
      .post('/crm/v4/associations/:from/:to/batch/read', (r) =>
        batchReadAssociations(
          this.#store(p(r, 'from')).objectType,
          this.#store(p(r, 'to')).objectType,
          this.#json(r),
          this.#count,
          this.#seed,
          this.#unlinked,
        ),
      )
      .get(/^\/crm\/v4\/objects\/(?<from>[^/]+)\/(?<id>\d+)\/associations\/(?<to>[^/]+)$/, (r) => {
        const from = this.#store(p(r, 'from')).objectType;
        const to = this.#store(p(r, 'to')).objectType;
        const all = associationsOf(
          from,
          Number(p(r, 'id')),
          to,
          this.#count,
          this.#seed,
          this.#unlinked,
        );
        const limit = Math.min(500, Number(r.query.get('limit') ?? 500));
        const start = decodeAfter(r.query.get('after'));
        const next =
          start + limit < all.length
            ? { paging: { next: { after: encodeAfter(start + limit), link: null } } }
            : {};
        return ok({ results: all.slice(start, start + limit), ...next });
      });
  }

  /** Each write's change stamp is later than the one before, as a CRM's modified time is. */
  #writeStamp(): Date {
    this.#lastWrite = Math.max(Date.now(), this.#lastWrite + 1);
    return new Date(this.#lastWrite);
  }

  #count = (type: string) => this.#stores.get(type)?.size ?? 0;

  #store(segment: string): ObjectStore {
    const store = this.#stores.get(this.#id(segment));
    if (!store)
      throw new HttpError(
        400,
        errorBody(`Unable to infer object type from: ${segment}`, 'VALIDATION_ERROR'),
      );
    return store;
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
