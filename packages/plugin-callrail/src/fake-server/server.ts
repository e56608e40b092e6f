import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CALL_EXTRA_FIELDS,
  type CallRailData,
  generateAccount,
  isoWithOffset,
  type Json,
  makeCall,
  TIME_ZONE,
} from './data.js';
import { dateWindow } from './dates.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** A collection served under `/v3/a/{account_id}/<path>.json`. */
interface Collection {
  key: keyof CallRailData;
  /** Event-time field the date filters select on; absent = not date-filtered. */
  dateField?: string;
  /** Calls alone also page relatively (`relative_pagination=true`). */
  relative?: boolean;
}

const COLLECTIONS: Record<string, Collection> = {
  calls: { key: 'calls', dateField: 'start_time', relative: true },
  companies: { key: 'companies' },
  trackers: { key: 'trackers' },
  users: { key: 'users' },
  tags: { key: 'tags' },
  form_submissions: { key: 'form_submissions', dateField: 'submitted_at' },
  // Hyphenated path, `conversations` key: the legacy client called `text_messages.json`.
  'text-messages': { key: 'conversations', dateField: 'last_message_at' },
};

export type CallRailFault =
  | { kind: 'rate-limit' }
  | { kind: 'server-error'; count: number }
  | { kind: 'bad-gateway'; count: number };

export interface CallRailFakeOptions {
  apiKey?: string;
  accountId?: string;
  /** Calls in the account (other collections scale from it). Default 120. */
  size?: number;
  /** Milliseconds added to every response. */
  latencyMs?: number;
  /** Requests per account per hour and per day (CallRail: 1,000 and 10,000). */
  hourlyLimit?: number;
  dailyLimit?: number;
  /** Lengths of the two windows, shrinkable for benchmarks. */
  hourMs?: number;
  dayMs?: number;
  now?: () => number;
}

export interface RecordedRequest {
  path: string;
  query: URLSearchParams;
  status: number;
  at: number;
}

/**
 * CallRail API v3 as our tests see it: `Token token="…"` auth, account-scoped `.json` paths,
 * `page`/`per_page` paging with `total_pages`/`total_records`, relative paging for calls,
 * date filters by event time (30 days when none is given; an error past 25 months), hourly
 * and daily request limits answered by a bare 429, and `{"error": "…"}` bodies.
 *
 * @example
 * const fake = await CallRailFakeServer.start({ size: 500, latencyMs: 50 });
 * // CALLRAIL_BASE_URL=fake.baseUrl CALLRAIL_API_KEY=fake.apiKey CALLRAIL_ACCOUNT_ID=fake.accountId
 */
export class CallRailFakeServer {
  readonly apiKey: string;
  readonly accountId: string;
  readonly data: CallRailData;
  readonly requests: RecordedRequest[] = [];
  latencyMs: number;
  private readonly server: Server;
  private readonly options: Required<
    Omit<CallRailFakeOptions, 'apiKey' | 'accountId' | 'size' | 'latencyMs'>
  >;
  private readonly faults: Array<{ fault: CallRailFault; collection?: string }> = [];
  private readonly served: number[] = [];
  private nextCall: number;
  private port = 0;

  private constructor(options: CallRailFakeOptions) {
    this.apiKey = options.apiKey ?? 'test-callrail-key';
    this.accountId = options.accountId ?? 'ACC8154748ae6bd4e278a7cddd38a662f4f';
    this.latencyMs = options.latencyMs ?? 0;
    this.options = {
      hourlyLimit: options.hourlyLimit ?? 1000,
      dailyLimit: options.dailyLimit ?? 10_000,
      hourMs: options.hourMs ?? HOUR,
      dayMs: options.dayMs ?? DAY,
      now: options.now ?? Date.now,
    };
    const size = options.size ?? 120;
    this.data = generateAccount(this.accountId, size, this.options.now());
    this.nextCall = size + 1;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.send(res, 500, { error: `fake failure: ${String(error)}` });
      });
    });
  }

  static async start(options: CallRailFakeOptions = {}): Promise<CallRailFakeServer> {
    const fake = new CallRailFakeServer(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** What `CALLRAIL_BASE_URL` should be. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v3`;
  }

  injectFault(fault: CallRailFault, collection?: string): void {
    this.faults.push({ fault, ...(collection ? { collection } : {}) });
  }

  /** `per_page` of list requests of a collection, in order. */
  pageSizes(collection: string): number[] {
    return this.requests
      .filter((r) => r.path.endsWith(`/${collection}.json`))
      .map((r) => Number(r.query.get('per_page') ?? 100));
  }

  /** Changes tags, lead status, value and note of the `count` most recent calls (their start time stays). */
  mutateCalls(count: number, options: { oldest?: boolean } = {}): string[] {
    const sorted = [...this.data.calls].sort(
      (a, b) => Date.parse(String(b.start_time)) - Date.parse(String(a.start_time)),
    );
    if (options.oldest) sorted.reverse();
    return sorted.slice(0, count).map((call) => {
      call.tags = ['Appointment Set'];
      call.lead_status = 'good_lead';
      call.value = '1500.00';
      call.note = `Updated ${new Date(this.options.now()).toISOString()}`;
      return String(call.id);
    });
  }

  addCalls(count: number, at: Date): string[] {
    return Array.from({ length: count }, () => {
      const call = makeCall(this.nextCall, at, this.data.companies, 'added');
      this.nextCall++;
      this.data.calls.push(call);
      return String(call.id);
    });
  }

  /** Breaks a required field (the tracking number a call came in on) of recent calls. */
  corruptCalls(count: number): string[] {
    const sorted = [...this.data.calls].sort(
      (a, b) => Date.parse(String(b.start_time)) - Date.parse(String(a.start_time)),
    );
    return sorted.slice(0, count).map((call) => {
      call.tracking_phone_number = null;
      return String(call.id);
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const record = (status: number) =>
      this.requests.push({
        path: url.pathname,
        query: url.searchParams,
        status,
        at: this.options.now(),
      });

    if (req.headers.authorization !== `Token token="${this.apiKey}"`) {
      record(401);
      return this.send(res, 401, { error: 'HTTP Token: Access denied.' });
    }
    if (!this.takeQuota()) {
      record(429);
      // CallRail documents no Retry-After and no rate-limit headers: the status is the signal.
      return this.send(res, 429, { error: 'API rate limit exceeded' });
    }
    if (req.method !== 'GET') {
      record(405);
      return this.send(res, 405, { error: 'Method not allowed in this fake' });
    }
    const match = /^\/v3\/a(?:\/([^/]+?))?(?:\/([a-z_-]+))?(?:\/([^/]+?))?\.json$/.exec(
      url.pathname,
    );
    if (!match) {
      record(404);
      return this.send(res, 404, { error: 'Not Found' });
    }
    const [, account, collectionName, itemId] = match;
    const fault = this.takeFault(collectionName ?? 'accounts');
    if (fault) {
      record(fault);
      return this.send(res, fault, {
        error: fault === 502 ? 'Bad Gateway' : 'Internal Server Error',
      });
    }
    if (account === undefined) {
      return record(this.list(res, url, { key: 'accounts' }, this.data.accounts));
    }
    if (account !== this.accountId) {
      record(404);
      return this.send(res, 404, { error: 'Account not found' });
    }
    if (collectionName === undefined) {
      record(200);
      return this.send(res, 200, this.data.accounts[0] ?? {});
    }
    const collection = COLLECTIONS[collectionName];
    if (!collection) {
      record(404);
      return this.send(res, 404, { error: 'Not Found' });
    }
    if (itemId !== undefined) {
      const item = this.data[collection.key].find((r) => String(r.id) === itemId);
      record(item ? 200 : 404);
      return item
        ? this.send(res, 200, this.shape(collection, item, url.searchParams))
        : this.send(res, 404, { error: 'Not Found' });
    }
    const status = this.list(res, url, collection, this.data[collection.key]);
    record(status);
  }

  private list(res: ServerResponse, url: URL, collection: Collection, all: Json[]): number {
    const q = url.searchParams;
    let items = all;
    if (collection.dateField) {
      const window = dateWindow(q, this.options.now());
      if ('error' in window) return this.send(res, 400, { error: window.error });
      const field = collection.dateField;
      items = items.filter((r) => {
        const t = Date.parse(String(r[field]));
        return t >= window.start && t <= window.end;
      });
    }
    const sort = q.get('sort') ?? collection.dateField ?? 'id';
    const order = q.get('order') ?? (collection.dateField ? 'desc' : 'asc');
    if (order !== 'asc' && order !== 'desc')
      return this.send(res, 400, { error: `Invalid order: ${order}` });
    if (items.length > 0 && !(sort in (items[0] as Json))) {
      return this.send(res, 400, { error: `Invalid sort field: ${sort}` });
    }
    const dir = order === 'asc' ? 1 : -1;
    items = [...items].sort((a, b) => dir * compare(a[sort], b[sort]) || compare(a.id, b.id));
    const perPageRaw = Number(q.get('per_page') ?? 100);
    if (!Number.isInteger(perPageRaw) || perPageRaw < 1) {
      return this.send(res, 400, { error: `Invalid per_page: ${q.get('per_page')}` });
    }
    const perPage = Math.min(250, perPageRaw);
    const shape = (r: Json) => this.shape(collection, r, q);
    if (q.get('relative_pagination') === 'true') {
      if (!collection.relative)
        return this.send(res, 400, { error: 'relative_pagination is only supported for calls' });
      if (q.has('page'))
        return this.send(res, 400, { error: 'page cannot be combined with relative_pagination' });
      const offset = Number(q.get('offset') ?? 0);
      const slice = items.slice(offset, offset + perPage);
      const hasNext = offset + perPage < items.length;
      const next = new URL(url.toString());
      next.searchParams.set('offset', String(offset + perPage));
      return this.send(res, 200, {
        per_page: perPage,
        has_next_page: hasNext,
        next_page: hasNext ? next.toString() : null,
        [collection.key]: slice.map(shape),
      });
    }
    const page = Number(q.get('page') ?? 1);
    if (!Number.isInteger(page) || page < 1)
      return this.send(res, 400, { error: `Invalid page: ${q.get('page')}` });
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    return this.send(res, 200, {
      page,
      per_page: perPage,
      total_pages: totalPages,
      total_records: items.length,
      [collection.key]: items.slice((page - 1) * perPage, page * perPage).map(shape),
    });
  }

  /** Calls carry some fields only when asked for with `fields=`. */
  private shape(collection: Collection, record: Json, q: URLSearchParams): Json {
    if (collection.key !== 'calls') return record;
    const asked = new Set((q.get('fields') ?? '').split(',').filter(Boolean));
    const out: Json = {};
    for (const [k, v] of Object.entries(record)) {
      if (!CALL_EXTRA_FIELDS.includes(k) || asked.has(k)) out[k] = v;
    }
    return out;
  }

  /** Sliding hourly and daily windows, per account (this fake serves one key). */
  private takeQuota(): boolean {
    const now = this.options.now();
    while (this.served.length > 0 && (this.served[0] as number) <= now - this.options.dayMs)
      this.served.shift();
    const inHour = this.served.filter((t) => t > now - this.options.hourMs).length;
    if (inHour >= this.options.hourlyLimit || this.served.length >= this.options.dailyLimit)
      return false;
    this.served.push(now);
    return true;
  }

  private takeFault(collection: string): number | undefined {
    const i = this.faults.findIndex((f) => !f.collection || f.collection === collection);
    if (i < 0) return undefined;
    const entry = this.faults[i] as { fault: CallRailFault };
    const fault = entry.fault;
    if (fault.kind === 'rate-limit') {
      this.faults.splice(i, 1);
      return 429;
    }
    fault.count--;
    if (fault.count <= 0) this.faults.splice(i, 1);
    return fault.kind === 'bad-gateway' ? 502 : 500;
  }

  private send(res: ServerResponse, status: number, body: unknown): number {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
    return status;
  }
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (!Number.isNaN(ta) && !Number.isNaN(tb) && /^\d{4}-/.test(a)) return ta - tb;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a ?? '').localeCompare(String(b ?? ''));
}

export { isoWithOffset, TIME_ZONE };
