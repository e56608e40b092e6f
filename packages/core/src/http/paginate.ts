import type { Page } from '../contracts/plugin.js';

/**
 * Paginators for the common styles, as async generators of pages with a checkpoint each, so
 * a run can resume after the last page it wrote. Each takes a `fetchPage` that does one
 * request for a position and returns the records plus what the vendor said about the next.
 */

/** Cursor / `after` token (HubSpot `paging.next.after`, Pipedrive `next_cursor`): stops when absent. */
export async function* cursorPages<R>(
  fetchPage: (
    cursor: string | undefined,
  ) => Promise<{ records: R[]; next?: string | null; total?: number }>,
  start?: string,
): AsyncGenerator<Page<R>> {
  let cursor = start;
  for (;;) {
    const { records, next, total } = await fetchPage(cursor);
    yield {
      records,
      ...(next ? { checkpoint: { cursor: next } } : {}),
      ...(total !== undefined && { estimatedTotal: total }),
    };
    if (!next) return;
    cursor = next;
  }
}

/** Page numbers (CallRail `page`/`total_pages`): stops at the last page or a short page. */
export async function* pageNumberPages<R>(
  fetchPage: (page: number) => Promise<{ records: R[]; totalPages?: number; total?: number }>,
  options: { pageSize: number; startPage?: number },
): AsyncGenerator<Page<R>> {
  let page = options.startPage ?? 1;
  for (;;) {
    const { records, totalPages, total } = await fetchPage(page);
    yield {
      records,
      checkpoint: { page: page + 1 },
      ...(total !== undefined && { estimatedTotal: total }),
    };
    if (totalPages !== undefined ? page >= totalPages : records.length < options.pageSize) return;
    page++;
  }
}

/** Offset/limit: stops on a short page or when `total` is reached. */
export async function* offsetPages<R>(
  fetchPage: (offset: number, limit: number) => Promise<{ records: R[]; total?: number }>,
  options: { limit: number; startOffset?: number },
): AsyncGenerator<Page<R>> {
  let offset = options.startOffset ?? 0;
  for (;;) {
    const { records, total } = await fetchPage(offset, options.limit);
    offset += records.length;
    yield {
      records,
      checkpoint: { offset },
      ...(total !== undefined && { estimatedTotal: total }),
    };
    if (records.length < options.limit || (total !== undefined && offset >= total)) return;
  }
}

/** A next-page URL in the body (`nextRecordsUrl`, `next`): stops when absent. */
export async function* nextUrlPages<R>(
  fetchPage: (url: string) => Promise<{ records: R[]; nextUrl?: string | null; total?: number }>,
  firstUrl: string,
): AsyncGenerator<Page<R>> {
  let url: string | null | undefined = firstUrl;
  while (url) {
    const page: { records: R[]; nextUrl?: string | null; total?: number } = await fetchPage(url);
    yield {
      records: page.records,
      ...(page.nextUrl ? { checkpoint: { url: page.nextUrl } } : {}),
      ...(page.total !== undefined && { estimatedTotal: page.total }),
    };
    url = page.nextUrl;
  }
}

/** The `rel="next"` target of an RFC 8288 Link header. */
export function nextLink(header: string | null): string | undefined {
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part.trim());
    if (match) return match[1];
  }
  return undefined;
}

/**
 * An RFC 8288 `Link: <…>; rel="next"` header (GitHub, Shopify, many REST APIs): `fetchPage`
 * returns the records and the raw header; stops when there is no `rel="next"`.
 */
export async function* linkHeaderPages<R>(
  fetchPage: (url: string) => Promise<{ records: R[]; link: string | null; total?: number }>,
  firstUrl: string,
): AsyncGenerator<Page<R>> {
  yield* nextUrlPages(async (url) => {
    const { records, link, total } = await fetchPage(url);
    return { records, nextUrl: nextLink(link) ?? null, ...(total !== undefined && { total }) };
  }, firstUrl);
}
