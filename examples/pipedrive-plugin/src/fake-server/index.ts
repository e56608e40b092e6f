import {
  decodeCursor,
  encodeCursor,
  FakeApi,
  FakeHttpError,
  FakeRecords,
  type FakeRequest,
  ok,
  type PluginKitFixture,
  reply,
} from '@crmsync/core/testing';

export type PipedriveEntity = 'persons' | 'organizations' | 'deals';
type Row = { id: string; [field: string]: unknown };

const TOKEN = 'pipedrive-test-token';
const DAY = 86_400_000;
const BURST = { max: 100, windowMs: 2_000 };
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
  const custom_fields = { d4b2f1a0c3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a3: `tier-${n % 3}` };
  const common = { ...base, is_deleted: false, custom_fields };
  if (entity === 'persons')
    return {
      ...common,
      name: `Person ${n}`,
      first_name: 'Person',
      last_name: String(n),
      org_id: n,
      emails: [{ value: `person${n}@example.com`, primary: true, label: 'work' }],
      phones: [{ value: `+1 555 010 ${String(n).padStart(4, '0')}`, primary: true, label: 'work' }],
    };
  if (entity === 'organizations')
    return { ...common, name: `Org ${n}`, website: `https://org${n}.example.com`, industry: null };
  return {
    ...common,
    title: `Deal ${n}`,
    value: n * 100,
    currency: 'USD',
    status: 'open',
    person_id: n,
    org_id: n,
    pipeline_id: 1,
    stage_id: 1 + (n % 4),
    expected_close_date: '2027-01-15',
  };
}

function time(request: FakeRequest, name: string): number | undefined {
  const text = request.query.get(name);
  if (text === null) return undefined;
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new FakeHttpError(400, failure(`Invalid ${name}`, 'Use RFC3339'));
  return ms;
}

/**
 * Pipedrive API v2's `GET /api/v2/{persons,organizations,deals}` on the fake-API kit: the
 * `x-api-token` header, `limit` ≤ 500 (default 100), an opaque `cursor` answered in
 * `additional_data.next_cursor`, `updated_since` (≥) / `updated_until` (<) in RFC 3339,
 * `sort_by` id|update_time, deleted records kept with `is_deleted: true`, and the 2-second burst
 * window's `x-ratelimit-*` headers with a 429 and `Retry-After` past it.
 */
export async function startFakePipedrive(size: number) {
  const api = new FakeApi({
    name: 'pipedrive',
    auth: {
      kind: 'header',
      name: 'x-api-token',
      value: TOKEN,
      reject: () => reply(401, failure('Unauthorized', 'Please check developers.pipedrive.com')),
    },
    notFound: () => reply(404, failure('Unknown method .')),
    faultBody: (status) => failure(status === 429 ? 'Too many requests' : 'Internal server error'),
    rateLimits: [
      {
        name: 'burst',
        ...BURST,
        reject: (_, s) => {
          const reset = String(Math.max(1, Math.ceil(s.window.resetInMs(s.now) / 1000)));
          const headers = { 'retry-after': reset, 'x-ratelimit-reset': reset };
          return reply(429, failure('Too many requests'), headers);
        },
        headers: (_, s) => ({
          'x-ratelimit-limit': String(BURST.max),
          'x-ratelimit-remaining': String(s.window.remaining(s.now)),
          'x-ratelimit-reset': String(Math.ceil(s.window.resetInMs(s.now) / 1000)),
        }),
      },
    ],
  });
  const now = api.clock.now();
  const data = {} as Record<PipedriveEntity, FakeRecords<Row>>;
  for (const entity of ['persons', 'organizations', 'deals'] as const) {
    data[entity] = new FakeRecords<Row>(api.clock);
    // Dates spread over the past 90 days, oldest first.
    for (let n = 1; n <= size; n++) {
      const at = now - 90 * DAY + Math.floor(((n - 1) * 89 * DAY) / size);
      data[entity].add(sample(entity, n, at), at);
    }
  }
  api.get('/api/v2/:entity', (request) => {
    const records = data[request.params.entity as PipedriveEntity];
    if (!records) throw new FakeHttpError(404, failure('Unknown method .'));
    const limit = Number(request.query.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new FakeHttpError(400, failure('Invalid limit', 'limit must be 1 to 500'));
    const byUpdate = request.query.get('sort_by') === 'update_time';
    const key = (r: Row) => [byUpdate ? (records.changedAt(r.id) ?? 0) : 0, Number(r.id)];
    const list = records.since(time(request, 'updated_since'), time(request, 'updated_until'));
    if (!byUpdate) list.sort((a, b) => Number(a.id) - Number(b.id));
    const after = request.query.get('cursor');
    const from = after === null ? undefined : (decodeCursor(after) as number[] | undefined);
    if (after !== null && !Array.isArray(from))
      throw new FakeHttpError(400, failure('Invalid cursor'));
    const rest = from ? list.filter((r) => compare(key(r), from) > 0) : list;
    const page = rest.slice(0, limit);
    const last = page.at(-1);
    const next = rest.length > limit && last ? encodeCursor(key(last)) : null;
    return ok({
      success: true,
      data: page.map((r) => ({ ...r, id: Number(r.id) })),
      additional_data: { next_cursor: next },
    });
  });
  const baseUrl = `${await api.listen()}/api/v2`;
  return { api, data, baseUrl, token: TOKEN };
}

function compare(a: number[], b: number[]): number {
  return (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0);
}

/** The fake as the plugin test kit's fixture for one entity. */
export async function pipedriveFixture(
  entity: PipedriveEntity,
  size: number,
): Promise<
  PluginKitFixture &
    Awaited<ReturnType<typeof startFakePipedrive>> & {
      remove(count: number): Promise<string[]>;
      badCredentials: Record<string, string>;
    }
> {
  const fake = await startFakePipedrive(size);
  const records = fake.data[entity];
  const touch = (id: string, patch: Partial<Row> = {}, at = fake.api.clock.now()) =>
    records.change(id, { ...patch, update_time: rfc3339(at) }, at);
  return {
    ...fake,
    config: { PIPEDRIVE_API_TOKEN: fake.token, PIPEDRIVE_BASE_URL: fake.baseUrl },
    badCredentials: { PIPEDRIVE_API_TOKEN: 'not-a-token', PIPEDRIVE_BASE_URL: fake.baseUrl },
    /** Pipedrive keeps a deleted record in its lists, flagged, with a new update_time. */
    async remove(count: number) {
      const ids = records
        .all()
        .slice(0, count)
        .map((r) => r.id);
      for (const id of ids) touch(id, { is_deleted: true });
      return ids;
    },
    async mutate(count) {
      const ids = records
        .all()
        .slice(0, count)
        .map((r) => r.id);
      for (const id of ids) touch(id, { custom_fields: { changed: true } });
      return ids;
    },
    async addRecords(count, at) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const row = sample(entity, records.size + 1, at.getTime());
        records.add(row, at);
        ids.push(row.id);
      }
      return ids;
    },
    async corrupt(count) {
      const ids = records
        .all()
        .slice(-count)
        .map((r) => r.id);
      for (const id of ids) records.change(id, { add_time: 'not a time' }, records.changedAt(id));
      return ids;
    },
    injectFault(fault) {
      const match = (r: FakeRequest) => r.route === '/api/v2/:entity';
      if (fault.kind === 'server-error') fake.api.fault({ status: 500, times: fault.count, match });
      else {
        const wait = String(fault.retryAfterSeconds);
        const headers = { 'retry-after': wait, 'x-ratelimit-reset': wait };
        fake.api.fault({ status: 429, headers, match });
      }
    },
    requestedPageSizes: () =>
      fake.api.requests
        .filter((r) => r.path === `/api/v2/${entity}`)
        .map((r) => Number(r.query.get('limit') ?? 100)),
    async setUpdatedAt(id, at) {
      touch(id, {}, at.getTime());
    },
    close: () => fake.api.close(),
  };
}
