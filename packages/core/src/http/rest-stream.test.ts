import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint, Page } from '../contracts/plugin.js';
import { HttpClient } from './http-client.js';
import { type RestStreamSpec, restPages } from './rest-stream.js';

/** A local API serving ids 1..23 in five pagination styles, requiring `?status=open` everywhere. */
const ALL = Array.from({ length: 23 }, (_, i) => ({ id: i + 1 }));
const asked: string[] = [];
let http: HttpClient;
let close: () => Promise<void>;

beforeAll(async () => {
  let base = '';
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const n = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
    const json = (body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.searchParams.get('status') !== 'open') return json({ error: 'status missing' });
    const size = n('limit', n('per_page', 10));
    switch (url.pathname) {
      case '/cursor': {
        const after = n('after', 0);
        const next = after + size < ALL.length ? after + size : undefined;
        return json({
          data: { items: ALL.slice(after, after + size) },
          meta: { total: 23, ...(next !== undefined && { next }) },
        });
      }
      case '/pages': {
        const page = n('page', 1);
        return json({
          calls: ALL.slice((page - 1) * size, page * size),
          total_pages: Math.ceil(23 / size),
        });
      }
      case '/offset':
        return json({ rows: ALL.slice(n('offset', 0), n('offset', 0) + size) });
      case '/next-url': {
        const from = n('from', 0);
        const done = from + size >= ALL.length;
        return json({
          records: ALL.slice(from, from + size),
          ...(!done && { next: `/next-url?status=open&limit=${size}&from=${from + size}` }),
        });
      }
      case '/link': {
        const page = n('page', 1);
        const more = page * size < ALL.length;
        return json(ALL.slice((page - 1) * size, page * size), {
          ...(more && {
            link: `<${base}/link?status=open&limit=${size}&page=${page + 1}>; rel="next"`,
          }),
        });
      }
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  http = new HttpClient({ crm: 'demo', baseUrl: base });
  close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
});

afterAll(() => close());

async function read(spec: RestStreamSpec, checkpoint?: Checkpoint) {
  const pages: Page<{ id: number }>[] = [];
  const stream = restPages<{ id: number }>(http, spec, {
    pageSize: 10,
    signal: new AbortController().signal,
    ...(checkpoint && { checkpoint }),
  });
  for await (const page of stream) pages.push(page);
  return { pages, ids: pages.flatMap((p) => p.records.map((r) => r.id)) };
}

const everyId = ALL.map((r) => r.id);
const query = { status: 'open' };

const specs: Record<string, RestStreamSpec> = {
  cursor: {
    path: '/cursor',
    records: 'data.items',
    total: 'meta.total',
    query,
    pagination: { style: 'cursor', param: 'after', next: 'meta.next', limitParam: 'limit' },
  },
  page: {
    path: '/pages',
    records: 'calls',
    query,
    pagination: { style: 'page', param: 'page', sizeParam: 'per_page', totalPages: 'total_pages' },
  },
  offset: {
    path: '/offset',
    records: 'rows',
    query,
    pagination: { style: 'offset', param: 'offset', limitParam: 'limit' },
  },
  'next-url': {
    path: '/next-url',
    records: 'records',
    query,
    pagination: { style: 'next-url', next: 'next', limitParam: 'limit' },
  },
  'link-header': {
    path: '/link',
    query,
    pagination: { style: 'link-header', limitParam: 'limit' },
  },
};

describe('restPages', () => {
  it.each(Object.keys(specs))(
    'reads every record of a %s endpoint from its declaration',
    async (style) => {
      const { ids, pages } = await read(specs[style] as RestStreamSpec);
      expect(ids).toEqual(everyId);
      expect(pages).toHaveLength(3);
    },
  );

  it('reports the total the API gives, for progress', async () => {
    const { pages } = await read(specs.cursor as RestStreamSpec);
    expect(pages.every((p) => p.estimatedTotal === 23)).toBe(true);
  });

  it.each(Object.keys(specs))(
    'resumes a %s read after the checkpoint of its first page',
    async (style) => {
      const spec = specs[style] as RestStreamSpec;
      const first = (await read(spec)).pages[0]?.checkpoint;
      expect(first).toBeDefined();
      const { ids } = await read(spec, first);
      expect(ids).toEqual(everyId.slice(10));
    },
  );

  it('sends the page size and fixed query on the first request', async () => {
    asked.length = 0;
    await read(specs.page as RestStreamSpec);
    expect(asked[0]).toBe('/pages?status=open&page=1&per_page=10');
  });

  it('hands every response to onResponse, headers included, before paging on', async () => {
    const links: (string | null)[] = [];
    const { ids } = await read({
      ...(specs['link-header'] as RestStreamSpec),
      onResponse: (res) => links.push(res.headers.get('link')),
    });
    expect(ids).toEqual(everyId);
    expect(links).toHaveLength(3);
    expect(links[0]).toMatch(/page=2>; rel="next"$/);
    expect(links[2]).toBeNull();
  });
});
