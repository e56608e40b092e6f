import { afterEach, describe, expect, it } from 'vitest';
import type { FetchRequest, Page } from '../contracts/plugin.js';
import { silentLogger } from '../logging/logger.js';
import { FakeApi } from '../testing/fake-api/server.js';
import { jsonBody, ok } from '../testing/fake-api/types.js';
import { HttpClient } from './http-client.js';
import { deltaQuery, type RestCheckpoint, type RestEntitySpec, restEntity } from './rest-entity.js';

const at = (iso: string) => new Date(iso);

describe('deltaQuery', () => {
  const window = { since: at('2026-03-01T10:20:30.250Z'), until: at('2026-03-05T00:00:00.000Z') };
  it.each([
    ['iso, since ≥ and until <', {}, '2026-03-01T10:20:30.250Z', '2026-03-05T00:00:00.000Z'],
    [
      'RFC 3339 seconds: since rounds down',
      { format: 'iso-seconds' },
      '2026-03-01T10:20:30Z',
      '2026-03-05T00:00:00Z',
    ],
    ['epoch ms', { format: 'epoch-ms' }, '1772360430250', '1772668800000'],
    ['epoch seconds', { format: 'epoch-s' }, '1772360430', '1772668800'],
    [
      'an exclusive since moves one step back',
      { format: 'epoch-s', since: { param: 's', inclusive: false } },
      '1772360429',
      '1772668800',
    ],
    [
      'an inclusive until moves one step back',
      { format: 'epoch-ms', until: { param: 'u', inclusive: true } },
      '1772360430250',
      '1772668799999',
    ],
    [
      'date-only widens to whole days',
      { format: 'date', until: { param: 'u', inclusive: true } },
      '2026-03-01',
      '2026-03-05',
    ],
  ] as const)('%s', (_, extra, since, until) => {
    const delta = {
      kind: 'updated-since',
      field: 'updated',
      since: 's',
      until: 'u',
      ...extra,
    } as const;
    expect(deltaQuery(delta, window)).toEqual({ s: since, u: until });
  });

  it('sends no bound the engine did not ask for, and none for a whole-read entity', () => {
    expect(deltaQuery({ kind: 'updated-since', field: 'u', since: 's', until: 'u' }, {})).toEqual(
      {},
    );
    expect(deltaQuery({ kind: 'none' }, window)).toEqual({});
  });
});

interface Row {
  id: number;
  updated: string;
  archived?: boolean;
}

describe('restEntity', () => {
  const apis: FakeApi[] = [];
  afterEach(async () => {
    for (const api of apis.splice(0)) await api.close();
  });

  /** Ten rows, 1–10, updated on days 1–10 of March; row 3 archived; ids 90–93 in a deleted feed. */
  async function serve() {
    const api = new FakeApi({ name: 'acme' });
    apis.push(api);
    const rows: Row[] = Array.from({ length: 10 }, (_, i) => ({
      id: i + 1,
      updated: `2026-03-${String(i + 1).padStart(2, '0')}T12:00:00Z`,
      ...(i === 2 && { archived: true }),
    }));
    const paged = <T>(list: T[], q: URLSearchParams) => {
      const page = Number(q.get('page') ?? 1);
      const size = Number(q.get('per_page'));
      return {
        items: list.slice((page - 1) * size, page * size),
        pages: Math.ceil(list.length / size),
      };
    };
    api.get('/rows', (r) =>
      ok(
        paged(
          rows.filter((row) => row.updated >= (r.query.get('from') ?? '')),
          r.query,
        ),
      ),
    );
    api.get('/deleted', (r) =>
      ok(
        paged(
          [90, 91, 92, 93].map((id) => ({ id })),
          r.query,
        ),
      ),
    );
    const http = new HttpClient({ crm: 'acme', baseUrl: await api.listen() });
    return { api, http };
  }

  const spec = (extra: Partial<RestEntitySpec<Row>> = {}) =>
    restEntity<Row>({
      name: 'rows',
      path: '/rows',
      records: 'items',
      pagination: { style: 'page', param: 'page', sizeParam: 'per_page', totalPages: 'pages' },
      pageSize: { default: 4, max: 4 },
      delta: { kind: 'updated-since', field: 'updated', since: 'from', format: 'iso-seconds' },
      fields: { id: { type: 'integer', required: true }, updated: { type: 'datetime' } },
      ...extra,
    });

  async function read(
    entity: ReturnType<typeof spec>,
    http: HttpClient,
    request: Partial<FetchRequest<RestCheckpoint>> = {},
  ) {
    const pages: Page<Row, RestCheckpoint>[] = [];
    const full = {
      mode: 'full',
      batchSize: 10,
      signal: AbortSignal.timeout(5_000),
      options: {},
      logger: silentLogger(),
    } as const;
    for await (const page of entity.fetch(http, { ...full, ...request })) pages.push(page);
    return pages;
  }

  it('pages within the page size the CRM allows, resumable after every page', async () => {
    const { api, http } = await serve();
    const pages = await read(spec(), http);
    expect(pages.map((p) => p.records.map((r) => r.id))).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10],
    ]);
    expect(pages.map((p) => p.checkpoint)).toEqual([{ page: 2 }, { page: 3 }, { page: 4 }]);
    expect(api.requests.map((r) => r.query.get('per_page'))).toEqual(['4', '4', '4']);
    const resumed = await read(spec(), http, { checkpoint: { page: 3 } });
    expect(resumed.flatMap((p) => p.records.map((r) => r.id))).toEqual([9, 10]);
  });

  it('turns flagged records into deleted ids and leaves out what the rounded bounds let in', async () => {
    const { http } = await serve();
    const entity = spec({ deletes: { flag: 'archived' } });
    const pages = await read(entity, http, {
      since: at('2026-03-02T12:00:00.500Z'),
      until: at('2026-03-06T12:00:00Z'),
    });
    // The API is asked from 12:00:00 (whole seconds) and answers row 2, changed before since.
    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual([4, 5]);
    expect(pages.flatMap((p) => p.deletedIds ?? [])).toEqual(['3']);
  });

  it('reads a deleted-ids feed after the records, and resumes inside it', async () => {
    const { api, http } = await serve();
    const feed = {
      path: '/deleted',
      records: 'items',
      id: 'id',
      pagination: { style: 'page', param: 'page', sizeParam: 'per_page', totalPages: 'pages' },
    } as const;
    const entity = spec({ deletes: { feed } });
    const pages = await read(entity, http);
    expect(pages.flatMap((p) => p.deletedIds ?? [])).toEqual(['90', '91', '92', '93']);
    expect(pages.at(-1)?.checkpoint).toEqual({ phase: 'deletes', page: 2 });
    api.requests.length = 0;
    const resumed = await read(entity, http, { checkpoint: { phase: 'deletes', page: 2 } });
    expect(resumed.flatMap((p) => p.deletedIds ?? [])).toEqual([]);
    expect(api.requests.map((r) => r.path)).toEqual(['/deleted']);
  });

  it('hands each response, feed included, to onResponse with the run client', async () => {
    const { http } = await serve();
    const client = { http, seen: [] as number[] };
    const feed = {
      path: '/deleted',
      records: 'items',
      pagination: { style: 'page', param: 'page', sizeParam: 'per_page', totalPages: 'pages' },
    } as const;
    const entity = restEntity<Row, typeof client>({
      ...spec(),
      path: '/rows',
      records: 'items',
      pagination: { style: 'page', param: 'page', sizeParam: 'per_page', totalPages: 'pages' },
      pageSize: { default: 4, max: 4 },
      deletes: { feed },
      onResponse: (res, c) => c.seen.push((res.body as { items: unknown[] }).items.length),
    });
    for await (const _ of entity.fetch(client, {
      mode: 'full',
      batchSize: 4,
      signal: AbortSignal.timeout(5_000),
      options: {},
      logger: silentLogger(),
    }));
    // Three pages of rows, then the one page of the deleted-ids feed.
    expect(client.seen).toEqual([4, 4, 2, 4]);
  });

  it('pins a declared window on a fresh read and asks the same one when resumed', async () => {
    const { api, http } = await serve();
    let resolved = 0;
    let floor = at('2026-03-03T00:00:00Z');
    // A floor like a retention: later on it would have moved, but a resumed read must not move.
    const entity = spec({
      delta: {
        kind: 'updated-since',
        field: 'updated',
        since: 'from',
        until: 'to',
        format: 'iso-seconds',
      },
      window: (r) => {
        resolved++;
        return {
          since: r.since && r.since > floor ? r.since : floor,
          until: at('2026-03-09T00:00:00Z'),
        };
      },
    });
    const pages = await read(entity, http, { mode: 'delta', since: at('2026-03-01T00:00:00Z') });
    // Kept as the API answers the window (this one ignores `to`): nothing filtered again.
    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    const pin = { since: '2026-03-03T00:00:00.000Z', until: '2026-03-09T00:00:00.000Z' };
    expect(pages[0]?.checkpoint).toEqual({ page: 2, ...pin });
    // The engine parses a stored checkpoint before handing it back: the pin must survive that.
    expect(entity.checkpoint?.parse(pages[0]?.checkpoint)).toEqual({ page: 2, ...pin });
    expect(api.requests[0]?.query.get('from')).toBe('2026-03-03T00:00:00Z');
    expect(api.requests[0]?.query.get('to')).toBe('2026-03-09T00:00:00Z');
    floor = at('2026-03-06T00:00:00Z');
    const resumed = await read(entity, http, { checkpoint: pages[0]?.checkpoint ?? {} });
    expect(resumed.flatMap((p) => p.records.map((r) => r.id))).toEqual([7, 8, 9, 10]);
    expect(api.requests.at(-1)?.query.get('from')).toBe('2026-03-03T00:00:00Z');
    expect(resolved).toBe(1);
  });

  it('reads an entity that lives outside the base from a path the client gives', async () => {
    const { api, http } = await serve();
    // Based at an account, like CallRail's client; the list of accounts is above it.
    const root = http.url('/').replace(/\/$/, '');
    const client = { http: new HttpClient({ crm: 'acme', baseUrl: `${root}/a/1` }), root };
    api.get('/a.json', () => ok({ items: [{ id: 7, updated: '2026-03-01T00:00:00Z' }] }));
    const entity = restEntity<Row, typeof client>({
      name: 'accounts',
      fields: { id: { type: 'integer', required: true } },
      pageSize: { default: 4, max: 4 },
      path: (c) => `${c.root}/a.json`,
      records: 'items',
      pagination: { style: 'page', param: 'page', sizeParam: 'per_page' },
    });
    const ids: number[] = [];
    for await (const page of entity.fetch(client, {
      mode: 'full',
      batchSize: 4,
      signal: AbortSignal.timeout(5_000),
      options: {},
      logger: silentLogger(),
    }))
      ids.push(...page.records.map((r) => r.id));
    expect(ids).toEqual([7]);
    expect(api.requests.map((r) => r.path)).toEqual(['/a.json']);
  });

  it('pages a POST search by a cursor it sends in the body, beside the fixed body', async () => {
    const { api, http } = await serve();
    const bodies: unknown[] = [];
    api.post('/search', (r) => {
      const body = jsonBody(r) as { after?: number; limit: number };
      bodies.push(body);
      const from = body.after ?? 0;
      const next = from + body.limit < 5 ? from + body.limit : undefined;
      const ids = [1, 2, 3, 4, 5].slice(from, from + body.limit);
      return ok({ results: ids.map((id) => ({ id })), ...(next && { paging: { after: next } }) });
    });
    const search = spec({
      path: '/search',
      records: 'results',
      body: { filter: 'open' },
      pagination: {
        style: 'cursor',
        param: 'after',
        next: 'paging.after',
        limitParam: 'limit',
        in: 'body',
      },
      delta: { kind: 'none' },
    });
    const pages = await read(search, http);
    expect(pages.map((p) => p.records.map((r) => r.id))).toEqual([[1, 2, 3, 4], [5]]);
    expect(bodies).toEqual([
      { filter: 'open', limit: 4 },
      { filter: 'open', limit: 4, after: '4' },
    ]);
  });

  it('declares full-read detection, its page sizes and its checkpoint shape to the engine', () => {
    const entity = spec({ deletes: { fullRead: true } });
    expect(entity.fullReadDetectsDeletes).toBe(true);
    expect(entity.pageSize).toEqual({ default: 4, max: 4 });
    expect(entity.delta).toEqual({ kind: 'updated-since', field: 'updated' });
    expect(entity.checkpoint?.safeParse({ page: 2 }).success).toBe(true);
    expect(entity.checkpoint?.safeParse({ start_date: '2026-01-01', page: 2 }).success).toBe(false);
  });
});
