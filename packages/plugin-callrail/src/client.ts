import {
  type Checkpoint,
  CrmsyncError,
  type FetchRequest,
  type HttpClient,
  type Page,
} from '@crmsync/core';
import { eventWindow } from './window.js';

export type CallRailRecord = Record<string, unknown>;

/**
 * Sends one authenticated GET and returns the parsed JSON (retries and limits are its job);
 * `http` is the same client, based at the account, for the declared (restEntity) lists.
 */
export type CallRailTransport = (<T>(url: string, signal: AbortSignal) => Promise<T>) & {
  readonly http: HttpClient;
};

export interface CallRailClientOptions {
  /** `https://api.callrail.com/v3` or a fake's base. */
  baseUrl: string;
  accountId: string;
  transport: CallRailTransport;
}

/** A list endpoint: where it lives and which key holds its records. */
export interface CallRailList {
  /** Path under the account, without `.json` (`calls`, `text-messages`); `null` for `/a.json`. */
  path: string | null;
  key: string;
  /** Event-time field the date filters select on: the entity reads a trailing window. */
  dateField?: string;
  /** Extra query parameters (`fields=…`). */
  query?: Record<string, string>;
}

interface PageNumbered {
  page: number;
  per_page: number;
  total_pages: number;
  total_records: number;
  [key: string]: unknown;
}

interface RelativePage {
  has_next_page: boolean;
  next_page: string | null;
  [key: string]: unknown;
}

const MAX_PER_PAGE = 250;

/**
 * CallRail API v3 for one account. Lists page by number (`page`, `per_page` ≤ 250,
 * `total_pages`); calls page relatively (`relative_pagination=true` → `next_page` URL),
 * which does not count the whole result set first. Date-filtered lists always send an
 * explicit `start_date`/`end_date`: without one CallRail silently answers the last 30 days.
 *
 * @example
 * for await (const page of client.pages({ path: 'companies', key: 'companies' }, request)) …
 */
export class CallRailClient {
  readonly accountId: string;
  readonly http: HttpClient;
  private readonly baseUrl: string;
  private readonly transport: CallRailTransport;

  constructor(options: CallRailClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.accountId = options.accountId;
    this.transport = options.transport;
    this.http = options.transport.http;
  }

  url(path: string | null, query: Record<string, string | number | undefined> = {}): string {
    const where =
      path === null ? '/a.json' : `/a/${encodeURIComponent(this.accountId)}/${path}.json`;
    const url = new URL(`${this.baseUrl}${where}`);
    for (const [k, v] of Object.entries(query))
      if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  get<T>(url: string, signal: AbortSignal): Promise<T> {
    return this.transport<T>(url, signal);
  }

  /** Numbered pages (`page=1…total_pages`), resuming from a checkpointed page. */
  async *pages(list: CallRailList, request: FetchRequest): AsyncGenerator<Page<CallRailRecord>> {
    const perPage = Math.min(MAX_PER_PAGE, Math.max(1, request.batchSize));
    const window = list.dateField ? this.window(request) : undefined;
    const resume = sameWindow(request.checkpoint, window)
      ? Number(request.checkpoint?.page ?? 0)
      : 0;
    const dates = window ? { start_date: window.start, end_date: window.end } : {};
    for (let page = resume + 1; ; page++) {
      request.signal.throwIfAborted();
      const query = {
        ...list.query,
        ...(list.dateField ? { sort: list.dateField, order: 'asc' } : {}),
        ...dates,
        per_page: perPage,
        page,
      };
      const body = await this.get<PageNumbered>(this.url(list.path, query), request.signal);
      const records = recordsOf(body, list.key);
      yield {
        records,
        estimatedTotal: body.total_records,
        checkpoint: { page, ...dates } as Checkpoint,
      };
      if (page >= body.total_pages || records.length === 0) return;
    }
  }

  /** Calls only: relative pages that follow `next_page` until `has_next_page` is false. */
  async *relativePages(
    list: CallRailList,
    request: FetchRequest,
  ): AsyncGenerator<Page<CallRailRecord>> {
    const perPage = Math.min(MAX_PER_PAGE, Math.max(1, request.batchSize));
    const window = this.window(request);
    const dates = { start_date: window.start, end_date: window.end };
    const resumeUrl = sameWindow(request.checkpoint, window)
      ? request.checkpoint?.nextPage
      : undefined;
    // Sorted ascending by event time inside a fixed window, so calls arriving during the run
    // land after `end_date` and cannot shift the pages still to come.
    let next: string | null =
      typeof resumeUrl === 'string'
        ? resumeUrl
        : this.url(list.path, {
            ...list.query,
            sort: list.dateField,
            order: 'asc',
            ...dates,
            relative_pagination: 'true',
            per_page: perPage,
          });
    while (next) {
      request.signal.throwIfAborted();
      const body: RelativePage = await this.get<RelativePage>(next, request.signal);
      next = body.has_next_page && body.next_page ? body.next_page : null;
      yield {
        records: recordsOf(body, list.key),
        checkpoint: { ...dates, nextPage: next } as Checkpoint,
      };
    }
  }

  private window(request: FetchRequest): { start: string; end: string } {
    // A resumed run keeps the window it started with, so its page numbers still mean the same rows.
    const cp = request.checkpoint;
    if (cp && typeof cp.start_date === 'string' && typeof cp.end_date === 'string') {
      return { start: cp.start_date, end: cp.end_date };
    }
    const w = eventWindow(request, new Date(), request.logger);
    return { start: w.start.toISOString(), end: w.end.toISOString() };
  }
}

function sameWindow(
  checkpoint: Checkpoint | undefined,
  window: { start: string; end: string } | undefined,
): boolean {
  if (!checkpoint) return false;
  if (!window) return typeof checkpoint.page === 'number';
  return checkpoint.start_date === window.start && checkpoint.end_date === window.end;
}

function recordsOf(body: Record<string, unknown>, key: string): CallRailRecord[] {
  const records = body[key];
  if (!Array.isArray(records)) {
    throw new CrmsyncError('system', `CallRail answered without a '${key}' list`, {
      crm: 'callrail',
    });
  }
  return records as CallRailRecord[];
}
