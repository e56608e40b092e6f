import {
  decodeCursor,
  encodeCursor,
  type FakeApi,
  type FakeRequest,
  jsonBody,
  ok,
  reply,
} from '@crmsync/core/fake-api';
import { CoqlSyntaxError, compareValues, matches, parseCoql } from './coql.js';
import type { FakeRow } from './data.js';
import { fail } from './errors.js';
import type { ZohoLimits } from './limits.js';
import type { FakeModule, FakeZohoOrg } from './org.js';

/** Rows reachable with `page`/`per_page`; past them a `page_token` is needed. */
export const OFFSET_CAP = 2_000;
const MAX_FIELDS = 50;
const PAGE_TOKEN_TTL_MS = 86_400_000;
const SORTABLE = ['id', 'Created_Time', 'Modified_Time'];

type SortKey = [number, string];
interface PageToken {
  m: string;
  after: SortKey;
  ims: number | null;
  sb: string;
  so: string;
  exp: number;
}

function intParam(request: FakeRequest, name: string, fallback: number, max: number): number {
  const text = request.query.get(name);
  if (text === null) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw fail(400, 'INVALID_DATA', 'invalid data', {
      param_name: name,
      ...(name === 'per_page' && { maximum_length: String(max) }),
    });
  return n;
}

/** The `If-Modified-Since` header as ms; Zoho answers records modified after it. */
function ifModifiedSince(request: FakeRequest): number | null {
  const raw = request.headers['if-modified-since'];
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (!text) return null;
  const ms = Date.parse(text);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$/.test(text) || Number.isNaN(ms))
    throw fail(400, 'INVALID_DATA', 'invalid data', { param_name: 'If-Modified-Since' });
  return ms;
}

const compareId = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/**
 * `GET /crm/v8/{Module}` (record.json "Get Records"), `GET …/{id}`, `GET …/deleted`,
 * `GET /crm/v8/settings/fields` and `POST /crm/v8/coql`, as Zoho documents them.
 */
export function mountReadRoutes(api: FakeApi, org: FakeZohoOrg, limits: ZohoLimits) {
  const sortKey = (module: FakeModule, row: FakeRow, by: string): SortKey => {
    if (by === 'Modified_Time') return [module.records.changedAt(row.id) ?? 0, row.id];
    if (by === 'Created_Time') return [Date.parse(String(row.Created_Time)) || 0, row.id];
    return [0, row.id];
  };
  const compareKeys = (a: SortKey, b: SortKey) => a[0] - b[0] || compareId(a[1], b[1]);
  // Sorting every record on every page would make the fake, not the plugin, the bottleneck
  // of a benchmark: the order is kept per module, sort and version.
  const orders = new Map<string, { version: number; rows: Array<{ id: string; k: SortKey }> }>();
  const order = (module: FakeModule, by: string, direction: string) => {
    const key = `${module.name}|${by}|${direction}`;
    const cached = orders.get(key);
    if (cached && cached.version === module.version) return cached.rows;
    const sign = direction === 'desc' ? -1 : 1;
    const rows = module.records
      .all()
      .map((r) => ({ id: r.id, k: sortKey(module, r, by) }))
      .sort((a, b) => sign * compareKeys(a.k, b.k));
    orders.set(key, { version: module.version, rows });
    return rows;
  };

  api.get(
    '/crm/v8/settings/fields',
    limits.guard(1, (request) => {
      const name = request.query.get('module');
      if (!name)
        throw fail(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
          param_name: 'module',
        });
      return ok({ fields: org.module(name).fields });
    }),
  );

  api.post(
    '/crm/v8/coql',
    limits.guard(
      (request) => {
        const limit = Number(/\blimit\s+(?:\d+\s*,\s*)?(\d+)/i.exec(request.body)?.[1] ?? 200);
        // UNCONFIRMED: COQL credits by rows asked (1 up to 200, 2 up to 1,000, 3 above).
        return limit <= 200 ? 1 : limit <= 1_000 ? 2 : 3;
      },
      (request) => coql(request),
      true,
    ),
  );

  const coql = (request: FakeRequest) => {
    const body = jsonBody(request) as { select_query?: unknown } | undefined;
    if (typeof body?.select_query !== 'string')
      throw fail(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
        param_name: 'select_query',
      });
    let query: ReturnType<typeof parseCoql>;
    try {
      query = parseCoql(body.select_query);
    } catch (error) {
      if (error instanceof CoqlSyntaxError)
        throw fail(400, 'SYNTAX_ERROR', `error occured while parsing the query: ${error.message}`);
      throw error;
    }
    const module = org.module(query.module);
    const known = new Set(['id', ...module.fields.map((f) => f.api_name)]);
    for (const f of [...query.fields, ...query.orderBy.map((o) => o.field)])
      if (!known.has(f))
        throw fail(400, 'INVALID_QUERY', 'invalid query formed', {
          column_name: f,
          reason: 'column given seems to be invalid',
        });
    if (query.limit > 2_000 || query.limit < 1)
      throw fail(400, 'LIMIT_EXCEEDED', 'limit exceeded', { by: 'limit', limit: 2_000 });
    // UNCONFIRMED: the reachable offset (100,000 in recent versions).
    if (query.offset + query.limit > 100_000)
      throw fail(400, 'LIMIT_EXCEEDED', 'limit exceeded', { by: 'offset', limit: 100_000 });
    let rows = module.records.all();
    const where = query.where;
    if (where) rows = rows.filter((r) => matches(r, where));
    const order = query.orderBy.length ? query.orderBy : [{ field: 'id', desc: false }];
    rows.sort((a, b) => {
      for (const o of order) {
        const c = o.field === 'id' ? compareId(a.id, b.id) : compareValues(a[o.field], b[o.field]);
        if (c !== 0) return o.desc ? -c : c;
      }
      return 0;
    });
    const page = rows.slice(query.offset, query.offset + query.limit);
    if (!page.length) return reply(204);
    return ok({
      data: page.map((r) => project(r, query.fields)),
      info: { count: page.length, more_records: rows.length > query.offset + query.limit },
    });
  };

  api.get(
    '/crm/v8/:module/deleted',
    limits.guard(1, (request) => {
      const module = org.module(request.params.module ?? '');
      const type = request.query.get('type') ?? 'all';
      if (!['all', 'recycle', 'permanent'].includes(type))
        throw fail(400, 'INVALID_DATA', 'invalid data', { param_name: 'type' });
      const perPage = intParam(request, 'per_page', 200, 200);
      const page = intParam(request, 'page', 1, Number.MAX_SAFE_INTEGER);
      const since = ifModifiedSince(request);
      // Everything deleted here sits in the recycle bin (`type: recycle`); none is purged.
      const rows =
        type === 'permanent'
          ? []
          : [...module.deleted.entries()]
              .filter(([, d]) => since === null || d.deletedAt > since)
              .sort(([a, x], [b, y]) => x.deletedAt - y.deletedAt || compareId(a, b));
      const slice = rows.slice((page - 1) * perPage, page * perPage);
      if (!slice.length) return reply(204);
      return ok({
        data: slice.map(([id, d]) => ({
          deleted_by: { name: 'Patricia Boyle', id: '5725767000000411001' },
          id,
          display_name: d.displayName,
          type: 'recycle',
          created_by: { name: 'Patricia Boyle', id: '5725767000000411001' },
          deleted_time: org.time(d.deletedAt),
        })),
        info: {
          per_page: perPage,
          count: slice.length,
          page,
          more_records: rows.length > page * perPage,
        },
      });
    }),
  );

  api.get(
    '/crm/v8/:module/actions/count',
    limits.guard(1, (request) =>
      ok({ count: org.module(request.params.module ?? '').records.size }),
    ),
  );

  api.get(
    '/crm/v8/:module/:id',
    limits.guard(1, (request) => {
      const module = org.module(request.params.module ?? '');
      const id = request.params.id ?? '';
      if (!/^\d+$/.test(id))
        throw fail(
          400,
          'INVALID_URL_PATTERN',
          'Please check if the URL trying to access is a correct one',
        );
      const row = module.records.get(id);
      // UNCONFIRMED: a record that is not there (deleted, never was) answers 204.
      if (!row) return reply(204);
      return ok({ data: [row] });
    }),
  );

  api.get(
    '/crm/v8/:module',
    limits.guard(1, (request) => {
      const module = org.module(request.params.module ?? '');
      const fields = fieldsParam(request, module);
      const ids = request.query.get('ids');
      if (ids !== null) {
        const wanted = ids.split(',').filter(Boolean);
        if (wanted.length > 100)
          throw fail(400, 'LIMIT_EXCEEDED', 'Record count exceeded', {
            param_name: 'ids',
            limit: 100,
          });
        const rows = wanted.map((id) => module.records.get(id)).filter((r) => r !== undefined);
        if (!rows.length) return reply(204);
        return ok({
          data: rows.map((r) => project(r, fields)),
          info: { count: rows.length, more_records: false },
        });
      }
      const perPage = intParam(request, 'per_page', 200, 200);
      const tokenText = request.query.get('page_token');
      let sortBy = request.query.get('sort_by') ?? 'id';
      let sortOrder = request.query.get('sort_order') ?? 'desc';
      let since = ifModifiedSince(request);
      let after: SortKey | undefined;
      let page = 1;
      if (tokenText !== null) {
        const token = decodeCursor(tokenText) as PageToken | undefined;
        if (!token || token.m !== module.name || !Array.isArray(token.after))
          throw fail(400, 'INVALID_DATA', 'invalid data', { param_name: 'page_token' });
        if (token.exp < org.clock.now())
          throw fail(400, 'INVALID_DATA', 'the page token has expired', {
            param_name: 'page_token',
          });
        ({ sb: sortBy, so: sortOrder, ims: since, after } = token);
      } else {
        page = intParam(request, 'page', 1, Number.MAX_SAFE_INTEGER);
        // UNCONFIRMED (docs memory): rows past the first 2,000 need a page_token.
        if (page * perPage > OFFSET_CAP)
          throw fail(
            400,
            'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
            `you cannot fetch more than ${OFFSET_CAP} records without page_token`,
            {
              param_name: 'page',
            },
          );
      }
      if (!SORTABLE.includes(sortBy))
        throw fail(400, 'INVALID_DATA', 'invalid data', { param_name: 'sort_by' });
      if (sortOrder !== 'asc' && sortOrder !== 'desc')
        throw fail(400, 'INVALID_DATA', 'invalid data', { param_name: 'sort_order' });
      const sign = sortOrder === 'desc' ? -1 : 1;
      const ordered = order(module, sortBy, sortOrder);
      let rows =
        since === null
          ? ordered
          : ordered.filter((x) => (module.records.changedAt(x.id) ?? 0) > since);
      // Nothing modified after If-Modified-Since: 304 Not Modified, no body.
      if (since !== null && !rows.length) return reply(304);
      let from = (page - 1) * perPage;
      const cursor = after;
      if (cursor) {
        // The first row past the token's key (rows are in token order).
        let lo = 0;
        let hi = rows.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (sign * compareKeys((rows[mid] as { k: SortKey }).k, cursor) > 0) hi = mid;
          else lo = mid + 1;
        }
        rows = rows.slice(lo);
        from = 0;
      }
      const slice = rows.slice(from, from + perPage);
      if (!slice.length) return reply(204);
      const more = rows.length > from + perPage;
      const last = slice.at(-1)?.k;
      const exp = org.clock.now() + PAGE_TOKEN_TTL_MS;
      const next =
        more && last
          ? encodeCursor({
              m: module.name,
              after: last,
              ims: since,
              sb: sortBy,
              so: sortOrder,
              exp,
            } satisfies PageToken)
          : null;
      return ok({
        data: slice.map((x) => project(module.records.get(x.id) as FakeRow, fields)),
        info: {
          per_page: perPage,
          count: slice.length,
          page,
          sort_by: sortBy,
          sort_order: sortOrder,
          more_records: more,
          next_page_token: next,
          previous_page_token: null,
          page_token_expiry: next ? org.time(exp) : null,
        },
      });
    }),
  );
}

/** `fields` is mandatory when listing, at most 50 known API names. */
function fieldsParam(request: FakeRequest, module: FakeModule): string[] {
  const text = request.query.get('fields');
  if (!text)
    throw fail(400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
      param_name: 'fields',
    });
  const fields = text
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (fields.length > MAX_FIELDS)
    throw fail(400, 'LIMIT_EXCEEDED', 'Max field limit exceeded', {
      param_name: 'fields',
      limit: MAX_FIELDS,
    });
  const known = new Set(['id', ...module.fields.map((f) => f.api_name)]);
  const unknown = fields.find((f) => !known.has(f));
  if (unknown)
    throw fail(400, 'INVALID_DATA', 'invalid data', { api_name: unknown, param_name: 'fields' });
  return fields;
}

function project(row: FakeRow, fields: string[]): FakeRow {
  const out: FakeRow = { id: row.id };
  for (const f of fields) if (f !== 'id') out[f] = row[f] ?? null;
  return out;
}
