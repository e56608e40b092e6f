import type { Checkpoint, Page } from '../contracts/plugin.js';
import { getPath } from '../mapping/path.js';
import type { HttpClient, HttpResponse, RequestOptions } from './http-client.js';
import {
  cursorPages,
  linkHeaderPages,
  nextUrlPages,
  offsetPages,
  pageNumberPages,
} from './paginate.js';

/**
 * How a REST list endpoint pages, said declaratively. Paths are dot paths into the body.
 * Page tokens (Google's `pageToken`/`nextPageToken`) are the `cursor` style under other names.
 */
export type PaginationSpec =
  /**
   * `?after=<token>`; the next token at `next` (HubSpot: `paging.next.after`, Pipedrive:
   * `additional_data.next_cursor`), absent or null on the last page. With `in: 'body'` the
   * token and the limit go into a POST body instead (HubSpot's search).
   */
  | { style: 'cursor'; param: string; next: string; limitParam?: string; in?: 'query' | 'body' }
  /** `?page=N&per_page=M`; stops at `totalPages` when given, else on a short page. */
  | { style: 'page'; param: string; sizeParam: string; totalPages?: string; firstPage?: number }
  /** `?offset=N&limit=M`; stops on a short page or at the total. */
  | { style: 'offset'; param: string; limitParam: string }
  /** A next-page URL in the body (`nextRecordsUrl`, `next`), absolute or relative to the base URL. */
  | { style: 'next-url'; next: string; limitParam?: string }
  /** An RFC 8288 `Link: <…>; rel="next"` header. */
  | { style: 'link-header'; limitParam?: string };

export interface RestStreamSpec {
  path: string;
  /** Where the records are in the body (`results`, `data.items`); omit when the body is the array. */
  records?: string;
  /** Where the total count is in the body, for progress. */
  total?: string;
  pagination: PaginationSpec;
  /** Fixed query parameters (filters, `properties`); undefined values are left out. */
  query?: RequestOptions['query'];
  /** Sends POST with this JSON body (a search endpoint); a body cursor goes into it. */
  body?: Record<string, unknown>;
  /** Another rate limiter for this endpoint (a search bucket). */
  limiter?: RequestOptions['limiter'];
  /**
   * Sees every response before its records are paged on: for what the body does not carry,
   * such as rate-limit headroom headers (HubSpot's `X-HubSpot-RateLimit-Remaining`).
   */
  onResponse?: (response: HttpResponse<unknown>) => void;
}

export interface RestStreamRequest {
  /** Records asked per page (`--batch-size`). */
  pageSize: number;
  signal: AbortSignal;
  /** A page's checkpoint from an earlier run, to resume after it. */
  checkpoint?: Checkpoint;
}

/**
 * A REST list endpoint as an async iterable of pages, from a declaration — path, pagination
 * style, record path — rather than a hand-written loop (Airbyte's declarative streams). Each
 * page carries the checkpoint to resume after it and the total the API reports.
 *
 * @example
 * restPages<Contact>(http, {
 *   path: '/crm/v3/objects/contacts',
 *   records: 'results',
 *   pagination: { style: 'cursor', param: 'after', next: 'paging.next.after', limitParam: 'limit' },
 *   query: { properties: 'email,phone' },
 * }, { pageSize: request.batchSize, signal: request.signal, checkpoint: request.checkpoint });
 */
export function restPages<R>(
  http: HttpClient,
  spec: RestStreamSpec,
  request: RestStreamRequest,
): AsyncGenerator<Page<R>> {
  const p = spec.pagination;
  // A next URL from the API already carries every parameter it needs: it is used as given.
  const get = async (
    path: string,
    query?: RequestOptions['query'],
    body?: Record<string, unknown>,
  ) => {
    const res = await http.request<unknown>(path, {
      method: spec.body || body ? 'POST' : 'GET',
      ...(query && { query: { ...spec.query, ...query } }),
      ...((spec.body || body) && { body: { ...spec.body, ...body } }),
      signal: request.signal,
      ...(spec.limiter && { limiter: spec.limiter }),
    });
    spec.onResponse?.(res);
    const records = spec.records ? getPath(res.body, spec.records) : res.body;
    const total = spec.total ? Number(getPath(res.body, spec.total)) : Number.NaN;
    return {
      body: res.body,
      headers: res.headers,
      records: Array.isArray(records) ? (records as R[]) : [],
      ...(Number.isFinite(total) && { total }),
    };
  };
  const size = (param: string | undefined) => (param ? { [param]: request.pageSize } : {});
  const resume = request.checkpoint ?? {};
  switch (p.style) {
    case 'cursor':
      return cursorPages(
        async (cursor) => {
          const paging = {
            ...size(p.limitParam),
            ...(cursor !== undefined && { [p.param]: cursor }),
          };
          const page =
            p.in === 'body' ? await get(spec.path, {}, paging) : await get(spec.path, paging);
          const next = getPath(page.body, p.next);
          return {
            ...page,
            next: typeof next === 'string' || typeof next === 'number' ? String(next) : null,
          };
        },
        typeof resume.cursor === 'string' ? resume.cursor : undefined,
      );
    case 'page':
      return pageNumberPages(
        async (n) => {
          const page = await get(spec.path, { [p.param]: n, [p.sizeParam]: request.pageSize });
          const totalPages = p.totalPages ? Number(getPath(page.body, p.totalPages)) : Number.NaN;
          return { ...page, ...(Number.isFinite(totalPages) && { totalPages }) };
        },
        {
          pageSize: request.pageSize,
          startPage: typeof resume.page === 'number' ? resume.page : (p.firstPage ?? 1),
        },
      );
    case 'offset':
      return offsetPages(
        (offset, limit) => get(spec.path, { [p.param]: offset, [p.limitParam]: limit }),
        {
          limit: request.pageSize,
          ...(typeof resume.offset === 'number' && { startOffset: resume.offset }),
        },
      );
    case 'next-url': {
      const first = http.url(spec.path, { ...spec.query, ...size(p.limitParam) });
      return nextUrlPages(
        async (url) => {
          const page = await get(url);
          const next = getPath(page.body, p.next);
          return { ...page, nextUrl: typeof next === 'string' && next ? next : null };
        },
        typeof resume.url === 'string' ? resume.url : first,
      );
    }
    case 'link-header': {
      const first = http.url(spec.path, { ...spec.query, ...size(p.limitParam) });
      return linkHeaderPages(
        async (url) => {
          const page = await get(url);
          return { ...page, link: page.headers.get('link') };
        },
        typeof resume.url === 'string' ? resume.url : first,
      );
    }
  }
}
