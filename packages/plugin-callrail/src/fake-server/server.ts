import {
  FakeApi,
  FakeClock,
  type FakeReply,
  type FakeRequest,
  type LoggedRequest,
  reply,
} from '@crmsync/core/fake-api';
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

/** A request the fake answered (the kit's log entry). */
export type RecordedRequest = LoggedRequest;

const error = (status: number, message: string): FakeReply => reply(status, { error: message });

/**
 * CallRail API v3 as our tests see it, built on core's fake-API kit: `Token token="…"` auth,
 * account-scoped `.json` paths, `page`/`per_page` paging with `total_pages`/`total_records`,
 * relative paging for calls, date filters by event time (30 days when none is given; an error
 * past 25 months), hourly and daily request limits answered by a bare 429, and
 * `{"error": "…"}` bodies.
 *
 * @example
 * const fake = await CallRailFakeServer.start({ size: 500, latencyMs: 50 });
 * // CALLRAIL_BASE_URL=fake.baseUrl CALLRAIL_API_KEY=fake.apiKey CALLRAIL_ACCOUNT_ID=fake.accountId
 */
export class CallRailFakeServer {
  readonly apiKey: string;
  readonly accountId: string;
  readonly data: CallRailData;
  /** The kit underneath: request log, fault queue, limits, latency, clock. */
  readonly api: FakeApi;
  private nextCall: number;

  private constructor(options: CallRailFakeOptions) {
    this.apiKey = options.apiKey ?? 'test-callrail-key';
    this.accountId = options.accountId ?? 'ACC8154748ae6bd4e278a7cddd38a662f4f';
    const clock = new FakeClock(options.now ?? Date.now);
    // CallRail documents no Retry-After and no rate-limit headers: the status is the signal.
    const quota = (name: string, max: number, windowMs: number) => ({
      name,
      max,
      windowMs,
      reject: () => error(429, 'API rate limit exceeded'),
    });
    this.api = new FakeApi({
      name: 'callrail',
      clock,
      latencyMs: options.latencyMs ?? 0,
      auth: {
        kind: 'header',
        name: 'authorization',
        value: `Token token="${this.apiKey}"`,
        reject: () => error(401, 'HTTP Token: Access denied.'),
      },
      rateLimits: [
        quota('hourly', options.hourlyLimit ?? 1000, options.hourMs ?? HOUR),
        quota('daily', options.dailyLimit ?? 10_000, options.dayMs ?? DAY),
      ],
      notFound: (r) =>
        r.method === 'GET'
          ? error(404, 'Not Found')
          : error(405, 'Method not allowed in this fake'),
      faultBody: (status) =>
        error(
          status,
          status === 502
            ? 'Bad Gateway'
            : status === 429
              ? 'API rate limit exceeded'
              : 'Internal Server Error',
        ).body,
      onError: (_, e) => error(500, `fake failure: ${String(e)}`),
    });
    const size = options.size ?? 120;
    this.data = generateAccount(this.accountId, size, clock.now());
    this.nextCall = size + 1;
    this.api
      .get('/v3/a.json', (r) => this.list(r, { key: 'accounts' }, this.data.accounts))
      .get('/v3/a/:account.json', (r) => this.account(r) ?? reply(200, this.data.accounts[0] ?? {}))
      .get('/v3/a/:account/:collection.json', (r) => this.account(r) ?? this.collection(r))
      .get('/v3/a/:account/:collection/:id.json', (r) => this.account(r) ?? this.collection(r));
  }

  static async start(options: CallRailFakeOptions = {}): Promise<CallRailFakeServer> {
    const fake = new CallRailFakeServer(options);
    await fake.api.listen();
    return fake;
  }

  /** What `CALLRAIL_BASE_URL` should be. */
  get baseUrl(): string {
    return `${this.api.url}/v3`;
  }

  /** Every answered request, in order. */
  get requests(): RecordedRequest[] {
    return this.api.requests;
  }

  injectFault(fault: CallRailFault, collection?: string): void {
    const status = fault.kind === 'rate-limit' ? 429 : fault.kind === 'bad-gateway' ? 502 : 500;
    this.api.fault({
      status,
      times: fault.kind === 'rate-limit' ? 1 : fault.count,
      ...(collection && {
        match: (r: FakeRequest) => (r.params.collection ?? 'accounts') === collection,
      }),
    });
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
      call.value = '$1,500.00';
      call.note = `Updated ${this.api.clock.date().toISOString()}`;
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

  close(): Promise<void> {
    return this.api.close();
  }

  /** The 404 for another account's path; `undefined` for this one's. */
  private account(r: FakeRequest): FakeReply | undefined {
    return r.params.account === this.accountId ? undefined : error(404, 'Account not found');
  }

  private collection(r: FakeRequest): FakeReply {
    const collection = COLLECTIONS[r.params.collection ?? ''];
    if (!collection) return error(404, 'Not Found');
    if (r.params.id === undefined) return this.list(r, collection, this.data[collection.key]);
    const item = this.data[collection.key].find((x) => String(x.id) === r.params.id);
    return item ? reply(200, this.shape(collection, item, r.query)) : error(404, 'Not Found');
  }

  private list(r: FakeRequest, collection: Collection, all: Json[]): FakeReply {
    const q = r.query;
    let items = all;
    if (collection.dateField) {
      const window = dateWindow(q, this.api.clock.now());
      if ('error' in window) return error(400, window.error);
      const field = collection.dateField;
      items = items.filter((x) => {
        const t = Date.parse(String(x[field]));
        return t >= window.start && t <= window.end;
      });
    }
    const sort = q.get('sort') ?? collection.dateField ?? 'id';
    const order = q.get('order') ?? (collection.dateField ? 'desc' : 'asc');
    if (order !== 'asc' && order !== 'desc') return error(400, `Invalid order: ${order}`);
    if (items.length > 0 && !(sort in (items[0] as Json)))
      return error(400, `Invalid sort field: ${sort}`);
    const dir = order === 'asc' ? 1 : -1;
    items = [...items].sort((a, b) => dir * compare(a[sort], b[sort]) || compare(a.id, b.id));
    const perPageRaw = Number(q.get('per_page') ?? 100);
    if (!Number.isInteger(perPageRaw) || perPageRaw < 1)
      return error(400, `Invalid per_page: ${q.get('per_page')}`);
    const perPage = Math.min(250, perPageRaw);
    const shape = (x: Json) => this.shape(collection, x, q);
    if (q.get('relative_pagination') === 'true') {
      if (!collection.relative)
        return error(400, 'relative_pagination is only supported for calls');
      if (q.has('page')) return error(400, 'page cannot be combined with relative_pagination');
      const offset = Number(q.get('offset') ?? 0);
      const slice = items.slice(offset, offset + perPage);
      const hasNext = offset + perPage < items.length;
      const next = new URL(r.url.toString());
      next.searchParams.set('offset', String(offset + perPage));
      return reply(200, {
        per_page: perPage,
        has_next_page: hasNext,
        next_page: hasNext ? next.toString() : null,
        [collection.key]: slice.map(shape),
      });
    }
    const page = Number(q.get('page') ?? 1);
    if (!Number.isInteger(page) || page < 1) return error(400, `Invalid page: ${q.get('page')}`);
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    return reply(200, {
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
