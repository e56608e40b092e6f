import {
  FakeApi,
  FakeHttpError,
  type FakeRequest,
  kitFault,
  ok,
  type PluginKitFixture,
  reply,
  seededChangeTime,
} from '@crmsync/core/testing';

export type Json = Record<string, unknown>;
export type LeadConduitEvent = Json & { id: string; type: string; start_timestamp: number };

export const API_KEY = 'lc-test-api-key-0001';
const DAY = 86_400_000;

/** The switches for what the contract leaves unconfirmed, each settable the other way. */
export interface LeadConduitQuirks {
  /** 403 "misconfigured csrf" without `Accept: application/json` (documented; default true). */
  requireAccept?: boolean;
  /** Order of `/events` when `sort` is not sent (UNCONFIRMED; default `desc`). */
  defaultSort?: 'asc' | 'desc';
  /** Whether `end` includes its instant (UNCONFIRMED; default true). */
  endInclusive?: boolean;
}

const error = (message: string) => ({ error: message });

/**
 * LeadConduit's API on the fake-API kit: HTTP Basic with the API key as the password, the
 * 403 `misconfigured csrf` answer to a request without `Accept: application/json`, `GET /events`
 * as a bare array paged by `sort`/`after_id`/`before_id`/`limit` (≤ 1000, default 100) and
 * bounded by `start`/`end` on `start_timestamp`, and `/flows` and `/destinations` whole.
 * Event ids are 24-hex ObjectIds (seconds of creation, then a counter): monotonic.
 */
export class LeadConduitFake {
  readonly api: FakeApi;
  readonly events: LeadConduitEvent[] = [];
  readonly flows: Json[] = [];
  readonly destinations: Json[] = [];
  readonly quirks: Required<LeadConduitQuirks>;
  baseUrl = '';
  #counter = 0;

  constructor(quirks: LeadConduitQuirks = {}) {
    this.quirks = { requireAccept: true, defaultSort: 'desc', endInclusive: true, ...quirks };
    this.api = new FakeApi({
      name: 'leadconduit',
      auth: {
        kind: 'basic',
        accept: (_user, pass) => pass === API_KEY,
        reject: () => reply(401, error('Authentication required')),
      },
      notFound: (r) => reply(404, error(`Cannot GET ${r.path}`)),
      faultBody: (status) => error(status === 429 ? 'Too Many Requests' : 'Service Unavailable'),
    });
    this.api.get('/events', (r) => this.#events(r));
    this.api.get('/flows', (r) => this.#whole(r, this.flows));
    this.api.get('/destinations', (r) => this.#whole(r, this.destinations));
  }

  static async start(quirks: LeadConduitQuirks = {}): Promise<LeadConduitFake> {
    const fake = new LeadConduitFake(quirks);
    fake.baseUrl = await fake.api.listen();
    return fake;
  }

  close(): Promise<void> {
    return this.api.close();
  }

  /** A new ObjectId stamped `ms` (its seconds) with the next counter value. */
  objectId(ms: number): string {
    this.#counter++;
    return `${Math.floor(ms / 1000)
      .toString(16)
      .padStart(8, '0')}${this.#counter.toString(16).padStart(16, '0')}`;
  }

  /** Adds an event (kept in id order, as LeadConduit's ids are). */
  addEvent(type: string, at: number, lead: Json, extra: Json = {}): LeadConduitEvent {
    const event: LeadConduitEvent = {
      id: this.objectId(at),
      type,
      outcome: 'success',
      reason: null,
      host: 'app.leadconduit.com',
      start_timestamp: at,
      end_timestamp: at + 12,
      ms: 12,
      wait_ms: 0,
      module_id: type === 'source' ? 'leadconduit:inbound' : 'leadconduit-custom.outbound.json',
      package_version: '1.4.2',
      step_count: type === 'source' ? 0 : 1,
      vars: {
        lead,
        flow: { id: '5fd4371e940df5a5a1d4a0b1', name: 'Solar leads' },
        source: { id: '5fd4371e940df5a5a1d4a0c2', name: 'Web form' },
      },
      appended: {},
      expires_at: new Date(at + 90 * DAY).toISOString(),
      flow_pricing: { cost: 1.5 },
      ...extra,
    };
    const last = this.events.at(-1);
    this.events.push(event);
    if (last && last.id > event.id)
      this.events.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return event;
  }

  /** A lead arriving at `at`: its source event and a recipient step of the same millisecond. */
  addLead(n: number, at: number, steps = true): LeadConduitEvent[] {
    const lead = {
      id: `lead${n}`,
      first_name: 'Pat',
      last_name: `Lead ${n}`,
      email: `pat${n}@example.com`,
      phone_1: `5125550${String(n % 1000).padStart(3, '0')}`,
      address_1: `${n} Main St`,
      city: 'Austin',
      state: 'TX',
      postal_code: '78701',
      trustedform_cert_url: `https://cert.trustedform.com/${n.toString(16).padStart(40, '0')}`,
      roof_age: n % 30,
    };
    const source = this.addEvent('source', at, lead);
    return steps ? [source, this.addEvent('recipient', at, lead)] : [source];
  }

  #guard(r: FakeRequest): void {
    const accept = String(r.headers.accept ?? '');
    if (this.quirks.requireAccept && !accept.includes('application/json'))
      throw new FakeHttpError(
        403,
        error('misconfigured csrf: check Accept header is set properly'),
      );
  }

  #whole(r: FakeRequest, list: Json[]) {
    this.#guard(r);
    return ok(list);
  }

  #time(r: FakeRequest, name: string): number | undefined {
    const text = r.query.get(name);
    if (text === null) return undefined;
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(text))
      throw new FakeHttpError(400, error(`${name} must be an ISO 8601 UTC time`));
    return Date.parse(text);
  }

  #id(r: FakeRequest, name: string): string | undefined {
    const text = r.query.get(name);
    if (text === null) return undefined;
    if (!/^[0-9a-f]{24}$/.test(text)) throw new FakeHttpError(400, error(`invalid ${name}`));
    return text;
  }

  #events(r: FakeRequest) {
    this.#guard(r);
    const limit = Number(r.query.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new FakeHttpError(400, error('limit must be between 1 and 1000'));
    const sort = r.query.get('sort') ?? this.quirks.defaultSort;
    if (sort !== 'asc' && sort !== 'desc')
      throw new FakeHttpError(400, error('sort must be asc or desc'));
    const after = this.#id(r, 'after_id');
    const before = this.#id(r, 'before_id');
    const start = this.#time(r, 'start');
    const end = this.#time(r, 'end');
    const list = this.events.filter(
      (e) =>
        (after === undefined || e.id > after) &&
        (before === undefined || e.id < before) &&
        (start === undefined || e.start_timestamp >= start) &&
        (end === undefined ||
          (this.quirks.endInclusive ? e.start_timestamp <= end : e.start_timestamp < end)),
    );
    if (sort === 'desc') list.reverse();
    return ok(list.slice(0, limit));
  }

  /** `limit` of every `/events` request, in order. */
  pageSizes(): number[] {
    return this.api.requests
      .filter((r) => r.path === '/events')
      .map((r) => Number(r.query.get('limit') ?? 100));
  }
}

export type LeadConduitEntity = 'events' | 'leads' | 'flows' | 'destinations';

/**
 * The fake as the plugin kit's fixture for one entity. `events`: `size` events, half of them
 * sources and half the recipient step sharing their lead's millisecond; `leads`: `size`
 * leads, each a source event plus a recipient step (which the entity must leave out);
 * `flows` / `destinations`: `size` items read whole.
 */
export async function startLeadConduitKitFixture(
  entity: LeadConduitEntity,
  size: number,
  quirks: LeadConduitQuirks = {},
): Promise<PluginKitFixture & { fake: LeadConduitFake }> {
  const fake = await LeadConduitFake.start(quirks);
  const now = Date.now();
  const settings = {
    fake,
    config: {
      LEADCONDUIT_API_KEY: API_KEY,
      LEADCONDUIT_BASE_URL: fake.baseUrl,
      LEADCONDUIT_RETRY_BACKOFF_MS: 20,
    },
    badCredentials: { LEADCONDUIT_API_KEY: 'wrong-leadconduit-key' },
    close: () => fake.close(),
  };
  if (entity === 'flows' || entity === 'destinations') {
    const list = entity === 'flows' ? fake.flows : fake.destinations;
    let next = 1;
    const item = (at: number): Json => {
      const id = fake.objectId(at);
      const n = next++;
      return entity === 'flows'
        ? {
            id,
            name: `Flow ${n}`,
            enabled: true,
            sources: [],
            steps: [],
            created_at: new Date(at).toISOString(),
            updated_at: new Date(at).toISOString(),
          }
        : {
            id,
            name: `Destination ${n}`,
            module_id: 'leadconduit-custom.outbound.json',
            integration: { url: `https://crm${n}.example.com/leads` },
            created_at: new Date(at).toISOString(),
            updated_at: new Date(at).toISOString(),
          };
    };
    for (let n = 1; n <= size; n++) list.push(item(seededChangeTime(now, n, size)));
    const ids = (items: Json[]) => items.map((i) => String(i.id));
    return {
      ...settings,
      async mutate(count) {
        const changed = list.slice(0, count);
        for (const i of changed) {
          i.name = `Renamed ${String(i.id)}`;
          i.updated_at = new Date().toISOString();
        }
        return ids(changed);
      },
      async addRecords(count, at) {
        const added = Array.from({ length: count }, () => item(at.getTime()));
        list.push(...added);
        return ids(added);
      },
      async corrupt(count) {
        const broken = list.slice(-count);
        for (const i of broken) i.name = null;
        return ids(broken);
      },
      async remove(count) {
        return ids(list.splice(0, count));
      },
      injectFault: (fault) => fake.api.fault(kitFault(fault, (r) => r.path === `/${entity}`)),
      requestedPageSizes: () => [],
    };
  }
  let n = 0;
  const add = (at: number): LeadConduitEvent[] => {
    n++;
    // `events` counts every event: a lead and its step are two; `leads` counts the sources.
    return entity === 'events' ? fake.addLead(n, at, false) : fake.addLead(n, at, true);
  };
  if (entity === 'events') {
    for (let i = 1; i <= size; i++) {
      const at = seededChangeTime(now, Math.ceil(i / 2), Math.ceil(size / 2));
      if (i % 2 === 1) add(at);
      else {
        const source = fake.events.at(-1) as LeadConduitEvent;
        fake.addEvent('recipient', source.start_timestamp, (source.vars as Json).lead as Json);
      }
    }
  } else for (let i = 1; i <= size; i++) add(seededChangeTime(now, i, size));
  const mine = () =>
    entity === 'leads' ? fake.events.filter((e) => e.type === 'source') : fake.events;
  return {
    ...settings,
    async mutate() {
      throw new Error('LeadConduit events are immutable: there is nothing to change');
    },
    async addRecords(count, at) {
      const added: string[] = [];
      for (let i = 0; i < count; i++) {
        const [source] = add(at.getTime());
        if (source) added.push(source.id);
      }
      return added;
    },
    /** Gives the lead an email that is not one. */
    async corrupt(count) {
      const broken = mine().slice(-count);
      for (const e of broken) ((e.vars as Json).lead as Json).email = 'not-an-email';
      return broken.map((e) => e.id);
    },
    /** A lead field the account defines (`vars.lead.kit_custom`): stored as `lead_kit_custom`. */
    async setCustomField(ids, value) {
      for (const e of fake.events)
        if (ids.includes(e.id)) ((e.vars as Json).lead as Json).kit_custom = value;
      return 'lead_kit_custom';
    },
    injectFault: (fault) => fake.api.fault(kitFault(fault, (r) => r.path === '/events')),
    requestedPageSizes: () => fake.pageSizes(),
  };
}
