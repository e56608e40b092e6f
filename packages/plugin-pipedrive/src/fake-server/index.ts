import { randomBytes } from 'node:crypto';
import {
  decodeCursor,
  encodeCursor,
  FakeApi,
  FakeHttpError,
  FakeRecords,
  type FakeRequest,
  formBody,
  ok,
  type PluginKitFixture,
  reply,
} from '@crmsync/core/testing';
import { mountWebhookRoutes } from './webhooks-api.js';

export type PipedriveEntity = 'persons' | 'organizations' | 'deals' | 'activities' | 'products';
export const PIPEDRIVE_ENTITIES: readonly PipedriveEntity[] = [
  'persons',
  'organizations',
  'deals',
  'activities',
  'products',
];
type Row = { id: string; [field: string]: unknown };

const TOKEN = 'pipedrive-test-token';
const CLIENT = { id: 'pd-client-id', secret: 'pd-client-secret', refresh: 'pd-refresh-1' };
const DAY = 86_400_000;
/** The "Tier" custom field every fake entity defines (a 40-character hash key). */
export const TIER_HASH = 'd4b2f1a0c3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a3';
const FIELDS: Record<PipedriveEntity, string> = {
  persons: 'personFields',
  organizations: 'organizationFields',
  deals: 'dealFields',
  activities: 'activityFields',
  products: 'productFields',
};
/** Lists that take `updated_until` (v2 products have only `updated_since`). */
const HAS_UNTIL = new Set<PipedriveEntity>(['persons', 'organizations', 'deals', 'activities']);

const failure = (error: string, info = error) => ({
  success: false,
  error,
  error_info: info,
  data: null,
  additional_data: null,
});

/** RFC 3339 without milliseconds, as Pipedrive v2 writes times. */
const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function sample(entity: PipedriveEntity, n: number, at: number): Row {
  const base = { id: String(n), owner_id: 7, add_time: rfc3339(at), update_time: rfc3339(at) };
  const common = { ...base, is_deleted: false, custom_fields: { [TIER_HASH]: `tier-${n % 3}` } };
  switch (entity) {
    case 'persons':
      return {
        ...common,
        name: `Person ${n}`,
        first_name: 'Person',
        last_name: String(n),
        org_id: n,
        emails: [{ value: `person${n}@example.com`, primary: true, label: 'work' }],
        phones: [
          { value: `+1 555 010 ${String(n).padStart(4, '0')}`, primary: true, label: 'work' },
        ],
        visible_to: 3,
        label_ids: [],
      };
    case 'organizations':
      return {
        ...common,
        name: `Org ${n}`,
        website: `https://org${n}.example.com`,
        industry: null,
        address: { value: `${n} Main St`, country: 'US' },
        visible_to: 3,
        label_ids: [],
      };
    case 'deals':
      return {
        ...common,
        title: `Deal ${n}`,
        creator_user_id: 7,
        value: n * 100,
        currency: 'USD',
        status: 'open',
        probability: null,
        person_id: n,
        org_id: n,
        pipeline_id: 1,
        stage_id: 1 + (n % 4),
        expected_close_date: '2027-01-15',
        is_archived: false,
      };
    case 'activities':
      return {
        ...common,
        subject: `Call ${n}`,
        type: 'call',
        creator_user_id: 7,
        deal_id: n,
        lead_id: null,
        person_id: n,
        org_id: n,
        due_date: '2027-01-15',
        due_time: '10:00',
        duration: '00:30',
        done: n % 2 === 0,
        marked_as_done_time: null,
        participants: [{ person_id: n, primary: true }],
        location: null,
      };
    case 'products':
      return {
        ...common,
        name: `Product ${n}`,
        code: `P-${n}`,
        description: null,
        unit: 'pcs',
        tax: 0,
        category: null,
        is_linkable: true,
        visible_to: 3,
        prices: [{ price: n, currency: 'USD' }],
      };
  }
}

function time(request: FakeRequest, name: string): number | undefined {
  const text = request.query.get(name);
  if (text === null) return undefined;
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms))
    throw new FakeHttpError(
      400,
      failure(`Invalid ${name}`, 'Use RFC3339, e.g. 2025-01-01T10:20:00Z'),
    );
  return ms;
}

/**
 * One entity's records with a sorted view kept between changes, so a list of 100,000 records
 * answers each page by binary search rather than a sort (the benchmarks read such lists).
 */
export class Table {
  readonly records: FakeRecords<Row>;
  #byTime: Array<{ at: number; id: number; row: Row }> | undefined;

  constructor(api: FakeApi) {
    this.records = new FakeRecords<Row>(api.clock);
  }

  add(row: Row, at: number): void {
    this.records.add(row, at);
    this.#byTime = undefined;
  }

  change(id: string, patch: Partial<Row>, at: number): void {
    this.records.change(id, patch, at);
    this.#byTime = undefined;
  }

  get size(): number {
    return this.records.size;
  }

  sorted() {
    this.#byTime ??= this.records
      .all()
      .map((row) => ({ at: this.records.changedAt(row.id) ?? 0, id: Number(row.id), row }))
      .sort((a, b) => a.at - b.at || a.id - b.id);
    return this.#byTime;
  }
}

/** First index whose key is ≥ (at, id). */
function lowerBound(list: Array<{ at: number; id: number }>, at: number, id: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const e = list[mid] as { at: number; id: number };
    if (e.at < at || (e.at === at && e.id < id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface FakePipedriveOptions {
  size?: number;
  entities?: readonly PipedriveEntity[];
  /** Requests per 2 s rolling window (the plan's burst limit); default 100. */
  burst?: number;
  /** The company's daily token budget (each list call costs 10); default unlimited. */
  dailyTokens?: number;
  latencyMs?: number;
  /** Start of the record dates; default 90 days ago, spread over 89 days. */
  spreadDays?: number;
}

/**
 * Pipedrive API v2 on the fake-API kit: `GET /api/v2/{persons,organizations,deals,activities,
 * products}` with `x-api-token` or an OAuth bearer token, `limit` ≤ 500 (default 100), an opaque
 * `cursor` answered in `additional_data.next_cursor` (null on the last page), `updated_since`
 * (≥) / `updated_until` (<) in RFC 3339 (products: since only), `sort_by` id|update_time,
 * deleted records kept with `is_deleted: true` (deals only when `status` asks `deleted`), the
 * `*Fields` endpoints naming the custom-field hashes, the 2-second burst window's
 * `x-ratelimit-*` headers with a 429 and `Retry-After` past it, a daily token budget (10 per
 * list call), and `POST /oauth/token` (Basic client auth, refresh-token grant, `api_domain`).
 */
export async function startFakePipedrive(options: FakePipedriveOptions = {}) {
  const size = options.size ?? 120;
  const burst = { max: options.burst ?? 100, windowMs: 2_000 };
  const accessTokens = new Map<string, number>(); // token → expires at (fake clock)
  let refreshToken = CLIENT.refresh;
  let tokensLeft = options.dailyTokens ?? Number.POSITIVE_INFINITY;
  const api = new FakeApi({
    name: 'pipedrive',
    latencyMs: options.latencyMs ?? 0,
    notFound: () => reply(404, failure('Unknown method .')),
    faultBody: (status) => failure(status === 429 ? 'Too many requests' : 'Internal server error'),
    rateLimits: [
      {
        name: 'burst',
        ...burst,
        applies: (r) => r.path.startsWith('/api/v2/'),
        reject: (_, s) => {
          const reset = String(Math.max(1, Math.ceil(s.window.resetInMs(s.now) / 1000)));
          const headers = { 'retry-after': reset, 'x-ratelimit-reset': reset };
          return reply(429, failure('Too many requests', 'Rate limit exceeded'), headers);
        },
        headers: (_, s) => ({
          'x-ratelimit-limit': String(burst.max),
          'x-ratelimit-remaining': String(s.window.remaining(s.now)),
          'x-ratelimit-reset': String(Math.ceil(s.window.resetInMs(s.now) / 1000)),
        }),
      },
    ],
  });
  const authorize = (request: FakeRequest, cost: number) => {
    const apiToken = request.headers['x-api-token'];
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    const expires = bearer ? accessTokens.get(bearer) : undefined;
    const valid = apiToken === TOKEN || (expires !== undefined && expires > api.clock.now());
    if (!valid)
      throw new FakeHttpError(
        401,
        failure('Unauthorized', 'Please check developers.pipedrive.com'),
      );
    if (tokensLeft < cost) {
      const midnight = Math.ceil(api.clock.now() / DAY) * DAY;
      const wait = String(Math.max(1, Math.ceil((midnight - api.clock.now()) / 1000)));
      throw new FakeHttpError(429, failure('Daily token budget exceeded'), { 'retry-after': wait });
    }
    tokensLeft -= cost;
  };
  const now = api.clock.now();
  const spread = (options.spreadDays ?? 89) * DAY;
  const data = {} as Record<PipedriveEntity, Table>;
  const custom = {} as Record<PipedriveEntity, Array<{ code: string; name: string }>>;
  for (const entity of options.entities ?? PIPEDRIVE_ENTITIES) {
    data[entity] = new Table(api);
    custom[entity] = [{ code: TIER_HASH, name: 'Tier' }];
    // Dates spread over the past 90 days, oldest first.
    for (let n = 1; n <= size; n++) {
      const at = now - spread - DAY + Math.floor(((n - 1) * spread) / size);
      data[entity].add(sample(entity, n, at), at);
    }
  }

  api.post(
    '/oauth/token',
    (request) => {
      const basic = /^Basic (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
      const [id, secret] = Buffer.from(basic ?? '', 'base64')
        .toString('utf8')
        .split(':');
      if (id !== CLIENT.id || secret !== CLIENT.secret)
        throw new FakeHttpError(401, { message: 'Invalid client credentials', success: false });
      const form = formBody(request);
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== refreshToken)
        throw new FakeHttpError(400, { error: 'invalid_grant', message: 'Invalid grant' });
      const access = `pd-access-${randomBytes(6).toString('hex')}`;
      accessTokens.set(access, api.clock.now() + 3_599_000);
      refreshToken = `pd-refresh-${randomBytes(6).toString('hex')}`; // rotated on every use
      return ok({
        access_token: access,
        token_type: 'Bearer',
        refresh_token: refreshToken,
        scope: 'base,deals:read,contacts:read,activities:read,products:read',
        expires_in: 3599,
        api_domain: api.url,
      });
    },
    { auth: false },
  );

  const fieldsList = (request: FakeRequest, entity: PipedriveEntity) => {
    authorize(request, 10);
    const limit = Number(request.query.get('limit') ?? 100);
    const builtIn = Object.keys(sample(entity, 1, 0))
      .filter((k) => k !== 'custom_fields')
      .map((code) => ({ code, name: code, custom: false }));
    const all = [...builtIn, ...custom[entity].map((c) => ({ ...c, custom: true }))];
    const from = Number(decodeCursor(request.query.get('cursor') ?? '') ?? 0);
    const page = all.slice(from, from + limit);
    return ok({
      success: true,
      data: page.map((f) => ({
        field_name: f.name,
        field_code: f.code,
        field_type: f.custom ? 'varchar' : 'varchar_auto',
        is_custom_field: f.custom,
        is_optional_response_field: false,
        options: null,
        subfields: null,
      })),
      additional_data: {
        next_cursor: from + limit < all.length ? encodeCursor(from + limit) : null,
      },
    });
  };

  api.get('/api/v2/:entity', (request) => {
    const fieldsOf = (Object.keys(FIELDS) as PipedriveEntity[]).find(
      (e) => FIELDS[e] === request.params.entity && data[e],
    );
    if (fieldsOf) return fieldsList(request, fieldsOf);
    const entity = request.params.entity as PipedriveEntity;
    const table = data[entity];
    if (!table) throw new FakeHttpError(404, failure('Unknown method .'));
    authorize(request, 10);
    const limit = Number(request.query.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new FakeHttpError(400, failure('Invalid limit', 'limit must be 1 to 500'));
    const sortBy = request.query.get('sort_by') ?? 'id';
    if (!['id', 'update_time', 'add_time'].includes(sortBy))
      throw new FakeHttpError(400, failure(`Invalid sort_by ${sortBy}`));
    if (request.query.get('sort_direction') === 'desc')
      throw new FakeHttpError(400, failure('the fake serves sort_direction asc only'));
    const since = time(request, 'updated_since');
    const until = HAS_UNTIL.has(entity) ? time(request, 'updated_until') : undefined;
    // Deals deleted (in the last 30 days) come only when `status` includes `deleted`.
    const statuses = request.query.get('status')?.split(',');
    const withDeleted = entity !== 'deals' || (statuses?.includes('deleted') ?? false);
    const keep = (row: Row) =>
      (withDeleted || row.is_deleted !== true) &&
      (!statuses || entity !== 'deals' || statuses.includes(String(row.status)));
    const sorted = table.sorted();
    // `ids`: "up to 100 entity ids to fetch"; ones that do not exist are left out (v2 spec).
    const idsParam = request.query.get('ids');
    if (idsParam !== null) {
      const wanted = new Set(idsParam.split(',').filter(Boolean));
      if (wanted.size > 100)
        throw new FakeHttpError(400, failure('Invalid ids', 'ids takes up to 100 ids'));
      const rows = sorted
        .filter((e) => wanted.has(String(e.id)) && keep(e.row))
        .sort((a, b) => a.id - b.id)
        .slice(0, limit);
      return ok({
        success: true,
        data: rows.map((e) => ({ ...e.row, id: Number(e.row.id) })),
        additional_data: { next_cursor: null },
      });
    }
    const after = request.query.get('cursor');
    const position = after === null ? undefined : (decodeCursor(after) as number[] | undefined);
    if (after !== null && !Array.isArray(position))
      throw new FakeHttpError(400, failure('Invalid cursor'));
    const page: Row[] = [];
    let next: string | null = null;
    if (sortBy === 'update_time') {
      const lo = since === undefined ? 0 : lowerBound(sorted, since, Number.NEGATIVE_INFINITY);
      const hi =
        until === undefined ? sorted.length : lowerBound(sorted, until, Number.NEGATIVE_INFINITY);
      let i = position ? lowerBound(sorted, Number(position[0]), Number(position[1]) + 1) : lo;
      i = Math.max(i, lo);
      for (; i < hi && page.length < limit; i++) {
        const e = sorted[i] as (typeof sorted)[number];
        if (keep(e.row)) page.push(e.row);
      }
      const last = sorted[i - 1];
      if (i < hi && last) next = encodeCursor([last.at, last.id]);
    } else {
      // id order: the fake filters the time-sorted view, then orders it by id.
      const list = sorted
        .filter(
          (e) => (since === undefined || e.at >= since) && (until === undefined || e.at < until),
        )
        .filter((e) => keep(e.row))
        .sort((a, b) => a.id - b.id);
      const from = position ? list.findIndex((e) => e.id > Number(position[0])) : 0;
      const rest = from < 0 ? [] : list.slice(from);
      for (const e of rest.slice(0, limit)) page.push(e.row);
      const last = page.at(-1);
      if (rest.length > limit && last) next = encodeCursor([Number(last.id)]);
    }
    return ok({
      success: true,
      data: page.map((r) => ({ ...r, id: Number(r.id) })),
      additional_data: { next_cursor: next },
    });
  });
  const webhooks = mountWebhookRoutes(api, authorize);
  const origin = await api.listen();
  return {
    api,
    data,
    /** The company's webhooks (`/v1/webhooks`), by id. */
    webhooks,
    custom,
    baseUrl: `${origin}/api/v2`,
    origin,
    token: TOKEN,
    oauth: {
      PIPEDRIVE_CLIENT_ID: CLIENT.id,
      PIPEDRIVE_CLIENT_SECRET: CLIENT.secret,
      PIPEDRIVE_REFRESH_TOKEN: CLIENT.refresh,
      PIPEDRIVE_OAUTH_TOKEN_URL: `${origin}/oauth/token`,
    },
    /** Ends every access token issued so far (an expired OAuth session). */
    expireAccessTokens() {
      for (const token of accessTokens.keys()) accessTokens.set(token, 0);
    },
    tokensLeft: () => tokensLeft,
  };
}

export type FakePipedrive = Awaited<ReturnType<typeof startFakePipedrive>>;

/** The fake as the plugin test kit's fixture for one entity. */
export async function pipedriveFixture(
  entity: PipedriveEntity,
  size: number,
  options: FakePipedriveOptions = {},
): Promise<
  PluginKitFixture &
    FakePipedrive & {
      remove(count: number): Promise<string[]>;
      setCustomField(ids: string[], value: string): Promise<string>;
      badCredentials: Record<string, string>;
    }
> {
  const fake = await startFakePipedrive({ ...options, size, entities: [entity] });
  const table = fake.data[entity];
  const records = table.records;
  const touch = (id: string, patch: Partial<Row> = {}, at = fake.api.clock.now()) =>
    table.change(id, { ...patch, update_time: rfc3339(at) }, at);
  const live = () => records.all().filter((r) => r.is_deleted !== true);
  return {
    ...fake,
    config: { PIPEDRIVE_API_TOKEN: fake.token, PIPEDRIVE_BASE_URL: fake.baseUrl },
    badCredentials: {
      PIPEDRIVE_API_TOKEN: 'not-a-pipedrive-token',
      PIPEDRIVE_BASE_URL: fake.baseUrl,
    },
    /** Pipedrive keeps a deleted record in its lists, flagged, with a new update_time. */
    async remove(count: number) {
      const ids = live()
        .slice(0, count)
        .map((r) => r.id);
      for (const id of ids)
        touch(id, { is_deleted: true, ...(entity === 'deals' && { status: 'deleted' }) });
      return ids;
    },
    async mutate(count) {
      const ids = live()
        .slice(0, count)
        .map((r) => r.id);
      for (const id of ids) touch(id, { owner_id: 8 });
      return ids;
    },
    async addRecords(count, at) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const row = sample(entity, table.size + 1, at.getTime());
        table.add(row, at.getTime());
        ids.push(row.id);
      }
      return ids;
    },
    async corrupt(count) {
      const ids = live()
        .slice(-count)
        .map((r) => r.id);
      for (const id of ids)
        table.change(id, { add_time: 'not a time' }, records.changedAt(id) ?? 0);
      return ids;
    },
    /** The account defines a new custom field (a fresh hash) and fills it on `ids`. */
    async setCustomField(ids, value) {
      const code = randomBytes(20).toString('hex');
      fake.custom[entity].push({ code, name: 'Kit Custom Field' });
      for (const id of ids) {
        const row = records.get(id);
        const customFields = { ...(row?.custom_fields as object), [code]: value };
        table.change(id, { custom_fields: customFields }, records.changedAt(id) ?? 0);
      }
      return 'kit_custom_field';
    },
    injectFault(fault) {
      const match = (r: FakeRequest) => r.path === `/api/v2/${entity}`;
      if (fault.kind === 'server-error') fake.api.fault({ status: 500, times: fault.count, match });
      else {
        const wait = String(fault.retryAfterSeconds);
        const headers = { 'retry-after': wait, 'x-ratelimit-reset': wait };
        fake.api.fault({ status: 429, headers, match });
      }
    },
    // Pages of the read: the probe a sliced read makes for the oldest record (limit 1) is not one.
    requestedPageSizes: () =>
      fake.api.requests
        .filter((r) => r.path === `/api/v2/${entity}` && r.query.get('limit') !== '1')
        .map((r) => Number(r.query.get('limit') ?? 100)),
    async setUpdatedAt(id, at) {
      touch(id, {}, at.getTime());
    },
    close: () => fake.api.close(),
  };
}
export { sendPipedriveWebhook } from './webhooks.js';
export { type FakeWebhook, mountWebhookRoutes } from './webhooks-api.js';
