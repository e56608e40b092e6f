import {
  FakeApi,
  FakeHttpError,
  FakeRecords,
  type FakeRequest,
  kitFault,
  ok,
  type PluginKitFixture,
  reply,
  seededChangeTime,
} from '@crmsync/core/testing';

export type Json = Record<string, unknown> & { id: string };
export const TOKEN = 'sr-test-token-0001';

/** The switches for what the contract leaves unconfirmed; each can go the other way. */
export interface SalesRabbitQuirks {
  /** The page-size parameter the server honours; `null`: none (it always serves `defaultPageSize`). */
  pageSizeParam?: string | null;
  /** Page size served when the request names no parameter it honours. */
  defaultPageSize?: number;
  /**
   * `/users` paging: `all` (legacy saw it: 0-indexed and every user on every page),
   * `zero-indexed` (paged, page 0 first) or `one-indexed` (paged like leads; page 0 reads as 1).
   */
  usersPaging?: 'all' | 'zero-indexed' | 'one-indexed';
  /** What a delta that finds nothing answers: 304, or 200 with an empty list. */
  nothingChanged?: 304 | 'empty';
  /** Whether the envelope carries `meta.total`. */
  total?: boolean;
  /** Whether `If-Modified-Since` includes its instant (≥) or not (>). */
  sinceInclusive?: boolean;
}

/** `2024-01-01T00:00:00+00:00`, as SalesRabbit writes times. */
export const srTime = (ms: number) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');

const error = (message: string) => ({ message });

/**
 * SalesRabbit's API on the fake-API kit: Bearer tokens, `{data, meta}` envelopes, page-number
 * paging whose size parameter is one name (or none), `If-Modified-Since` on `/leads` and
 * `/users` and `If-Status-Modified-Since` on `/leadStatusActivities`, deleted leads listed with
 * `deletedAt`, and `/users` answering every user on every page unless switched.
 */
export class SalesRabbitFake {
  readonly api: FakeApi;
  readonly leads: FakeRecords<Json>;
  readonly users: FakeRecords<Json>;
  readonly activities: FakeRecords<Json>;
  readonly quirks: Required<SalesRabbitQuirks>;
  baseUrl = '';

  constructor(quirks: SalesRabbitQuirks = {}) {
    this.quirks = {
      pageSizeParam: 'perPage',
      defaultPageSize: 100,
      usersPaging: 'all',
      nothingChanged: 304,
      total: true,
      sinceInclusive: false,
      ...quirks,
    };
    this.api = new FakeApi({
      name: 'salesrabbit',
      auth: {
        kind: 'bearer',
        token: TOKEN,
        reject: () => reply(401, error('Unauthenticated.')),
      },
      notFound: () => reply(404, error('Not Found')),
      faultBody: (status) => error(status === 429 ? 'Too Many Attempts.' : 'Service Unavailable'),
    });
    this.leads = new FakeRecords(this.api.clock);
    this.users = new FakeRecords(this.api.clock);
    this.activities = new FakeRecords(this.api.clock);
    this.api.get('/leads', (r) => this.#list(r, this.leads, 'If-Modified-Since', 1));
    this.api.get('/users', (r) => this.#list(r, this.users, 'If-Modified-Since', 0));
    this.api.get('/leadStatusActivities', (r) =>
      this.#list(r, this.activities, 'If-Status-Modified-Since', 1),
    );
  }

  static async start(quirks: SalesRabbitQuirks = {}): Promise<SalesRabbitFake> {
    const fake = new SalesRabbitFake(quirks);
    fake.baseUrl = await fake.api.listen();
    return fake;
  }

  close(): Promise<void> {
    return this.api.close();
  }

  addLead(n: number, at: number, custom: Record<string, unknown> = {}): Json {
    return this.leads.add(
      {
        id: String(n),
        firstName: 'Sam',
        lastName: `Lead ${n}`,
        businessName: null,
        email: `sam${n}@example.com`,
        phonePrimary: `801555${String(n % 10_000).padStart(4, '0')}`,
        phoneAlternate: null,
        street1: `${n} Canyon Rd`,
        city: 'Provo',
        state: 'UT',
        zip: '84601',
        country: 'US',
        latitude: '40.2338',
        longitude: '-111.6585',
        status: 'Not Home',
        statusModified: srTime(at),
        notes: null,
        campaignId: 3,
        userId: 1,
        userName: 'Rep One',
        dateCreated: srTime(at),
        dateModified: srTime(at),
        ownerModified: null,
        customFields: { roofAge: String(n % 30), financing: 'true', ...custom },
        deletedAt: null,
      },
      Math.floor(at / 1000) * 1000,
    );
  }

  addUser(n: number, at: number): Json {
    return this.users.add(
      {
        id: String(n),
        firstName: 'Rep',
        lastName: `Number ${n}`,
        email: `rep${n}@example.com`,
        phone: `801555${String(n % 10_000).padStart(4, '0')}`,
        active: true,
        hireDate: '2024-03-01',
        role: 'Rep',
        office: 'Provo',
        team: 'North',
        region: 'Utah',
        supervisorId: null,
        dateCreated: srTime(at),
        dateModified: srTime(at),
      },
      Math.floor(at / 1000) * 1000,
    );
  }

  addActivity(n: number, at: number): Json {
    return this.activities.add(
      {
        id: String(n),
        leadId: (n % 50) + 1,
        dispositionTimestamp: srTime(at),
        dispositionLeadStatusId: 4,
        dispositionLeadStatusName: 'Sold',
        dispositionerID: 1,
        dispositionerName: 'Rep One',
        currentLeadStatusName: 'Sold',
        currentLeadModified: srTime(at),
      },
      Math.floor(at / 1000) * 1000,
    );
  }

  /** Changes a lead or user so its `dateModified` is `at` (default now). */
  touch(records: FakeRecords<Json>, id: string, patch: Partial<Json>, at = this.api.clock.now()) {
    const ms = Math.floor(at / 1000) * 1000;
    records.change(id, { ...patch, dateModified: srTime(ms) }, ms);
  }

  #list(r: FakeRequest, records: FakeRecords<Json>, header: string, firstPage: number) {
    const q = this.quirks;
    const raw = r.headers[header.toLowerCase()];
    const text = Array.isArray(raw) ? raw[0] : raw;
    let since: number | undefined;
    if (text !== undefined) {
      since = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$/.test(text)
        ? Date.parse(text)
        : Number.NaN;
      if (Number.isNaN(since))
        throw new FakeHttpError(400, error(`The ${header} header must be an ISO 8601 date`));
      if (!q.sinceInclusive) since += 1000; // "> since", to the second
    }
    const list = records.since(since).sort((a, b) => Number(a.id) - Number(b.id));
    if (since !== undefined && list.length === 0)
      return q.nothingChanged === 304 ? reply(304, '') : ok({ data: [], meta: this.#meta(0) });
    const param = q.pageSizeParam;
    const asked = param === null ? null : r.query.get(param);
    const size = asked === null ? q.defaultPageSize : Number(asked);
    if (!Number.isInteger(size) || size < 1 || size > 1000)
      throw new FakeHttpError(422, error(`The ${param} must be between 1 and 1000.`));
    const page = Number(r.query.get('page') ?? firstPage);
    if (!Number.isInteger(page) || page < 0)
      throw new FakeHttpError(422, error('The page must be a whole number.'));
    let slice: Json[];
    if (r.path === '/users' && q.usersPaging === 'all') slice = list;
    else {
      const first = r.path === '/users' && q.usersPaging === 'zero-indexed' ? 0 : 1;
      const index = Math.max(page, first) - first;
      slice = list.slice(index * size, (index + 1) * size);
    }
    return ok({ data: slice, meta: this.#meta(list.length) });
  }

  #meta(total: number) {
    return this.quirks.total ? { total } : {};
  }

  /** The page size of every request of `path`, under the parameter the plugin sends. */
  pageSizes(path: string, param = 'perPage'): number[] {
    return this.api.requests
      .filter((r) => r.path === path)
      .map((r) => Number(r.query.get(param) ?? Number.NaN));
  }
}

export type SalesRabbitEntity = 'leads' | 'users' | 'lead_status_activities';

/** The fake as the plugin kit's fixture for one entity, with `size` records over 90 days. */
export async function startSalesRabbitKitFixture(
  entity: SalesRabbitEntity,
  size: number,
  quirks: SalesRabbitQuirks = {},
): Promise<PluginKitFixture & { fake: SalesRabbitFake }> {
  const fake = await SalesRabbitFake.start(quirks);
  const now = Date.now();
  const path =
    entity === 'leads' ? '/leads' : entity === 'users' ? '/users' : '/leadStatusActivities';
  const records =
    entity === 'leads' ? fake.leads : entity === 'users' ? fake.users : fake.activities;
  const add = (n: number, at: number) =>
    entity === 'leads'
      ? fake.addLead(n, at)
      : entity === 'users'
        ? fake.addUser(n, at)
        : fake.addActivity(n, at);
  for (let n = 1; n <= size; n++) add(n, seededChangeTime(now, n, size));
  let next = size + 1;
  const ids = (list: Json[]) => list.map((r) => r.id);
  const fixture: PluginKitFixture & { fake: SalesRabbitFake } = {
    fake,
    config: {
      SALESRABBIT_API_TOKEN: TOKEN,
      SALESRABBIT_BASE_URL: fake.baseUrl,
      SALESRABBIT_RETRY_BACKOFF_MS: 20,
    },
    badCredentials: { SALESRABBIT_API_TOKEN: 'wrong-salesrabbit-token' },
    async mutate(count) {
      const changed = records.all().slice(0, count);
      for (const r of changed) fake.touch(records, r.id, { lastName: `Changed ${r.id}` });
      return ids(changed);
    },
    async addRecords(count, at) {
      return ids(Array.from({ length: count }, () => add(next++, at.getTime())));
    },
    async corrupt(count) {
      const broken = records.all().slice(-count);
      for (const r of broken)
        records.change(
          r.id,
          entity === 'lead_status_activities'
            ? { dispositionerID: 'not-a-number' }
            : { email: 'not-an-email' },
          records.changedAt(r.id),
        );
      return ids(broken);
    },
    injectFault: (fault) => fake.api.fault(kitFault(fault, (r) => r.path === path)),
    requestedPageSizes: () => fake.pageSizes(path),
    close: () => fake.close(),
  };
  if (entity !== 'lead_status_activities')
    fixture.setUpdatedAt = async (id, at) => fake.touch(records, id, {}, at.getTime());
  if (entity === 'leads') {
    /** SalesRabbit keeps a deleted lead in its list with `deletedAt`, changed now. */
    fixture.remove = async (count) => {
      const gone = fake.leads.all().slice(0, count);
      for (const r of gone) fake.touch(fake.leads, r.id, { deletedAt: srTime(Date.now()) });
      return ids(gone);
    };
    fixture.setCustomField = async (list, value) => {
      for (const id of list) {
        const lead = fake.leads.get(id);
        const custom = { ...(lead?.customFields as Record<string, unknown>), kitNote: value };
        fake.leads.change(id, { customFields: custom }, fake.leads.changedAt(id));
      }
      return 'custom_kitNote';
    };
  }
  return fixture;
}
