import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from '../contracts/plugin.js';
import { HttpClient } from './http-client.js';
import {
  cursorPages,
  linkHeaderPages,
  nextLink,
  nextUrlPages,
  offsetPages,
  pageNumberPages,
} from './paginate.js';

/**
 * One local API serving 23 records (ids 1..23) in every pagination style a CRM uses, so each
 * paginator is tested over real HTTP against the shape its vendors answer with.
 */
const ALL = Array.from({ length: 23 }, (_, i) => ({ id: i + 1 }));
let base = '';
let close: () => Promise<void>;
let http: HttpClient;

beforeAll(async () => {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const q = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
    const json = (body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const limit = q('limit', 10);
    switch (url.pathname) {
      case '/cursor': {
        // HubSpot: `paging.next.after`, absent on the last page.
        const after = q('after', 0);
        const results = ALL.slice(after, after + limit);
        const next = after + limit < ALL.length ? String(after + limit) : undefined;
        return json({
          results,
          total: ALL.length,
          ...(next && { paging: { next: { after: next } } }),
        });
      }
      case '/pages': {
        // CallRail: `page`, `per_page`, `total_pages`.
        const page = q('page', 1);
        const perPage = q('per_page', 10);
        return json({
          page,
          total_pages: Math.ceil(ALL.length / perPage),
          total_records: ALL.length,
          calls: ALL.slice((page - 1) * perPage, page * perPage),
        });
      }
      case '/offset':
        return json({ items: ALL.slice(q('offset', 0), q('offset', 0) + limit) });
      case '/next-url': {
        // Salesforce: `nextRecordsUrl` relative to the host, absent when `done`.
        const from = q('from', 0);
        const records = ALL.slice(from, from + 10);
        const done = from + 10 >= ALL.length;
        return json({
          totalSize: ALL.length,
          done,
          records,
          ...(!done && { nextRecordsUrl: `/next-url?from=${from + 10}` }),
        });
      }
      case '/link': {
        const page = q('page', 1);
        const links = [`<${base}/link?page=1>; rel="first"`];
        if (page * 10 < ALL.length) links.push(`<${base}/link?page=${page + 1}>; rel="next"`);
        return json(ALL.slice((page - 1) * 10, page * 10), { link: links.join(', ') });
      }
      default:
        res.writeHead(404).end();
    }
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

async function collect<R>(pages: AsyncIterable<Page<R>>): Promise<Page<R>[]> {
  const out: Page<R>[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

const ids = (pages: Page<{ id: number }>[]) => pages.flatMap((p) => p.records.map((r) => r.id));
const everyId = ALL.map((r) => r.id);

interface CursorBody {
  results: Array<{ id: number }>;
  total: number;
  paging?: { next?: { after?: string } };
}

describe('cursorPages', () => {
  const read = (start?: string) =>
    cursorPages(async (after) => {
      const { body } = await http.get<CursorBody>('/cursor', { query: { limit: 10, after } });
      return { records: body.results, next: body.paging?.next?.after, total: body.total };
    }, start);

  it('follows paging.next.after until it is absent, with a checkpoint and total per page', async () => {
    const pages = await collect(read());
    expect(ids(pages)).toEqual(everyId);
    expect(pages.map((p) => p.checkpoint)).toEqual([{ cursor: '10' }, { cursor: '20' }, undefined]);
    expect(pages.every((p) => p.estimatedTotal === 23)).toBe(true);
  });

  it('resumes from a checkpoint', async () => {
    expect(ids(await collect(read('20')))).toEqual([21, 22, 23]);
  });
});

describe('pageNumberPages', () => {
  interface Body {
    calls: Array<{ id: number }>;
    total_pages: number;
    total_records: number;
  }
  it('stops at total_pages, and resumes from the page in its checkpoint', async () => {
    const read = (startPage?: number) =>
      pageNumberPages(
        async (page) => {
          const { body } = await http.get<Body>('/pages', { query: { page, per_page: 10 } });
          return { records: body.calls, totalPages: body.total_pages, total: body.total_records };
        },
        { pageSize: 10, ...(startPage && { startPage }) },
      );
    const pages = await collect(read());
    expect(ids(pages)).toEqual(everyId);
    expect(pages.map((p) => p.checkpoint)).toEqual([{ page: 2 }, { page: 3 }, { page: 4 }]);
    expect(pages[0]?.estimatedTotal).toBe(23);
    expect(ids(await collect(read(3)))).toEqual([21, 22, 23]);
  });

  it('stops on a short page when the API gives no page count', async () => {
    const requested: number[] = [];
    const pages = await collect(
      pageNumberPages(
        async (page) => {
          requested.push(page);
          const { body } = await http.get<Body>('/pages', { query: { page, per_page: 10 } });
          return { records: body.calls };
        },
        { pageSize: 10 },
      ),
    );
    expect(ids(pages)).toEqual(everyId);
    expect(requested).toEqual([1, 2, 3]);
  });

  it('asks for one more page when the last one is exactly full, and stops on it being empty', async () => {
    const requested: number[] = [];
    const pages = await collect(
      pageNumberPages(
        async (page) => {
          requested.push(page);
          const { body } = await http.get<Body>('/pages', { query: { page, per_page: 23 } });
          return { records: body.calls };
        },
        { pageSize: 23 },
      ),
    );
    expect(ids(pages)).toEqual(everyId);
    expect(requested).toEqual([1, 2]);
  });
});

describe('offsetPages', () => {
  it('advances the offset by what came back and stops on a short page', async () => {
    const offsets: number[] = [];
    const pages = await collect(
      offsetPages(
        async (offset, limit) => {
          offsets.push(offset);
          const { body } = await http.get<{ items: Array<{ id: number }> }>('/offset', {
            query: { offset, limit },
          });
          return { records: body.items };
        },
        { limit: 10 },
      ),
    );
    expect(ids(pages)).toEqual(everyId);
    expect(offsets).toEqual([0, 10, 20]);
    expect(pages.at(-1)?.checkpoint).toEqual({ offset: 23 });
  });

  it('stops when the total is reached without asking for an empty page', async () => {
    const offsets: number[] = [];
    await collect(
      offsetPages(
        async (offset, limit) => {
          offsets.push(offset);
          const { body } = await http.get<{ items: Array<{ id: number }> }>('/offset', {
            query: { offset, limit },
          });
          return { records: body.items, total: 20 };
        },
        { limit: 10 },
      ),
    );
    expect(offsets).toEqual([0, 10]);
  });

  it('resumes from a checkpointed offset', async () => {
    const pages = await collect(
      offsetPages(
        async (offset, limit) => {
          const { body } = await http.get<{ items: Array<{ id: number }> }>('/offset', {
            query: { offset, limit },
          });
          return { records: body.items };
        },
        { limit: 10, startOffset: 15 },
      ),
    );
    expect(ids(pages)).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
  });
});

describe('nextUrlPages', () => {
  it('follows nextRecordsUrl until it is absent', async () => {
    interface Body {
      records: Array<{ id: number }>;
      totalSize: number;
      nextRecordsUrl?: string;
    }
    const pages = await collect(
      nextUrlPages(async (url) => {
        const { body } = await http.get<Body>(url);
        return { records: body.records, nextUrl: body.nextRecordsUrl, total: body.totalSize };
      }, '/next-url'),
    );
    expect(ids(pages)).toEqual(everyId);
    expect(pages.map((p) => p.checkpoint)).toEqual([
      { url: '/next-url?from=10' },
      { url: '/next-url?from=20' },
      undefined,
    ]);
  });
});

describe('linkHeaderPages', () => {
  it('follows the rel="next" of the Link header (absolute URLs) until there is none', async () => {
    const pages = await collect(
      linkHeaderPages(async (url) => {
        const res = await http.get<Array<{ id: number }>>(url);
        return { records: res.body, link: res.headers.get('link') };
      }, '/link'),
    );
    expect(ids(pages)).toEqual(everyId);
    expect(pages[0]?.checkpoint).toEqual({ url: `${base}/link?page=2` });
  });

  it('parses rel="next" wherever it sits in the header', () => {
    expect(nextLink('<https://a/x?p=1>; rel="prev", <https://a/x?p=3>; rel="next"')).toBe(
      'https://a/x?p=3',
    );
    expect(nextLink('<https://a/x?p=1>; rel=first')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });
});
