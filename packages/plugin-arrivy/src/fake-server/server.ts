import {
  FakeApi,
  FakeHttpError,
  FakeRecords,
  type FakeRequest,
  kitFault,
  ok,
  type PluginKitFault,
  type PluginKitFixture,
  reply,
  seededChangeTime,
} from '@crmsync/core/testing';

export type Json = Record<string, unknown> & { id: string };
export const AUTH_KEY = 'arrivy-test-key-0001';
export const AUTH_TOKEN = 'arrivy-test-token-0001';
const DAY = 86_400_000;

/** The switches for what the contract leaves unconfirmed; each can go the other way. */
export interface ArrivyQuirks {
  /**
   * Whether `items_per_page` is honoured. Default false: the legacy saw ~500 rows a page
   * whatever it asked, so the fake serves `servedPageSize` (task statuses: 100, their default).
   */
  honourPageSize?: boolean;
  servedPageSize?: number;
  /** Whether `/statuses` pages (default false: everything in one response, every page). */
  statusesPaged?: boolean;
}

/** ISO 8601 UTC to the second, as Arrivy writes record times. */
export const arrivyIso = (ms: number) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

const error = (message: string, description: string) => ({ message, description });
const byId = (a: Json, b: Json) => Number(a.id) - Number(b.id);

export type ArrivyList = 'entities' | 'groups' | 'crews' | 'bookings' | 'statuses';

/**
 * Arrivy's API on the fake-API kit: the `X-Auth-Key` + `X-Auth-Token` pair, bare JSON arrays
 * paged by `page`/`items_per_page` (ignored unless switched), `GET /tasks` selecting by
 * **schedule** time with `from`/`to` (ISO with offset; an unencoded `+` is refused), the
 * unscheduled and undated tasks only with `unscheduled=true` / `tasks_with_no_datetime=true`,
 * `GET /tasks/{id}/status` (entries, default page 100), and the account's lists.
 */
export class ArrivyFake {
  readonly api: FakeApi;
  readonly tasks: FakeRecords<Json>;
  readonly statusEntries = new Map<string, Json[]>();
  readonly lists: Record<ArrivyList, Json[]> = {
    entities: [],
    groups: [],
    crews: [],
    bookings: [],
    statuses: [],
  };
  readonly quirks: Required<ArrivyQuirks>;
  baseUrl = '';
  #nextId = 5_000_000_000_000;

  constructor(quirks: ArrivyQuirks = {}) {
    this.quirks = { honourPageSize: false, servedPageSize: 500, statusesPaged: false, ...quirks };
    this.api = new FakeApi({
      name: 'arrivy',
      auth: {
        kind: 'header',
        name: 'x-auth-key',
        value: (key, r) => key === AUTH_KEY && r.headers['x-auth-token'] === AUTH_TOKEN,
        reject: () => reply(401, error('UNAUTHORIZED', 'Invalid X-Auth-Key or X-Auth-Token')),
      },
      notFound: () => reply(404, error('NOT_FOUND', 'Not found')),
      faultBody: (status) =>
        status === 429
          ? error('RATE_LIMIT_EXCEEDED', 'Too many requests')
          : error('SERVICE_UNAVAILABLE', 'Try again'),
    });
    this.tasks = new FakeRecords(this.api.clock);
    this.api.get('/api/tasks', (r) => this.#tasks(r));
    this.api.get('/api/tasks/:id/status', (r) => {
      if (!this.tasks.get(r.params.id ?? ''))
        throw new FakeHttpError(404, error('TASK_NOT_FOUND', `No task ${r.params.id}`));
      return ok(this.#page(r, this.statusEntries.get(r.params.id ?? '') ?? [], 100));
    });
    for (const name of Object.keys(this.lists) as ArrivyList[])
      this.api.get(`/api/${name}`, (r) =>
        name === 'statuses' && !this.quirks.statusesPaged
          ? ok(this.lists.statuses)
          : ok(this.#page(r, this.lists[name], this.quirks.servedPageSize)),
      );
  }

  static async start(quirks: ArrivyQuirks = {}): Promise<ArrivyFake> {
    const fake = new ArrivyFake(quirks);
    fake.baseUrl = `${await fake.api.listen()}/api`;
    return fake;
  }

  close(): Promise<void> {
    return this.api.close();
  }

  newId(): string {
    return String(this.#nextId++);
  }

  /** A task: scheduled at `scheduled` (ms), `'unscheduled'`, or `'undated'`; changed at `at`. */
  addTask(
    at: number,
    scheduled: number | 'unscheduled' | 'undated',
    extra: Partial<Json> = {},
  ): Json {
    const id = this.newId();
    const start = typeof scheduled === 'number' ? arrivyIso(scheduled) : null;
    return this.tasks.add(
      {
        id,
        url_safe_id: `ahFzfmFycml2eS0${id}`,
        title: `Install ${id}`,
        details: null,
        start_datetime: start,
        end_datetime: typeof scheduled === 'number' ? arrivyIso(scheduled + 2 * 3_600_000) : null,
        start_datetime_original_iso_str: start,
        end_datetime_original_iso_str: null,
        status: 'NOTSTARTED',
        status_title: 'Not Started',
        entity_ids: [5_100_000_000_001],
        crew_ids: [],
        customer_id: 7_000_001,
        customer_first_name: 'Alex',
        customer_last_name: `Customer ${id.slice(-4)}`,
        customer_email: `alex${id.slice(-4)}@example.com`,
        customer_mobile_number: '+13035550100',
        customer_address_line_1: '1 Pine St',
        customer_city: 'Denver',
        customer_state: 'CO',
        customer_zipcode: '80202',
        customer_exact_location: { lat: 39.74, lng: -104.99 },
        extra_fields: { roof_type: 'shingle' },
        group_id: 6_000_001,
        external_id: null,
        unscheduled: scheduled === 'unscheduled',
        created: arrivyIso(at),
        updated: arrivyIso(at),
        ...extra,
      },
      at,
    );
  }

  /** Changes a task, moving its `updated` to `at` (default now). */
  touch(id: string, patch: Partial<Json> = {}, at = this.api.clock.now()): Json {
    return this.tasks.change(id, { ...patch, updated: arrivyIso(at) }, at);
  }

  /** A status entry of a task at `at`, which also moves the task's `updated`. */
  addStatus(taskId: string, at: number, type = 'ENROUTE'): Json {
    const entry: Json = {
      id: this.newId(),
      type,
      time: arrivyIso(at),
      reporter_name: 'Crew One',
      reporter_id: 5_100_000_000_001,
      source: 'mobile',
      extra_fields: {},
    };
    const list = this.statusEntries.get(taskId) ?? [];
    list.push(entry);
    this.statusEntries.set(taskId, list);
    const task = this.tasks.get(taskId);
    if (task && Date.parse(String(task.updated)) < at) this.touch(taskId, { status: type }, at);
    return entry;
  }

  #time(r: FakeRequest, name: string): number | undefined {
    const text = r.query.get(name);
    if (text === null) return undefined;
    // Arrivy's docs: the offset's `+` must be URL-encoded; unencoded it arrives as a space.
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)$/.test(text))
      throw new FakeHttpError(
        400,
        error('INVALID_DATETIME', `${name} must be ISO 8601 with an offset`),
      );
    return Date.parse(text);
  }

  #tasks(r: FakeRequest) {
    let list: Json[];
    if (r.query.get('unscheduled') === 'true')
      list = this.tasks.all().filter((t) => t.unscheduled === true);
    else if (r.query.get('tasks_with_no_datetime') === 'true')
      list = this.tasks.all().filter((t) => t.start_datetime === null && t.unscheduled !== true);
    else {
      // Without a window, Arrivy's default is unconfirmed: the fake answers today's tasks.
      const today = Math.floor(this.api.clock.now() / DAY) * DAY;
      const from = this.#time(r, 'from') ?? today;
      const to = this.#time(r, 'to') ?? today + DAY;
      // Record times are all written by arrivyIso: as text they sort as the instants they name.
      const [low, high] = [arrivyIso(from), arrivyIso(to)];
      list = this.tasks.all().filter((t) => {
        if (t.start_datetime === null || t.unscheduled === true) return false;
        const at = String(t.start_datetime);
        return (
          (at > low || (at === low && Date.parse(at) >= from)) &&
          (at < high || (at === high && Date.parse(at) <= to))
        );
      });
    }
    // Ids are issued in increasing order: sorted already unless a test added one out of turn.
    if (list.some((t, i) => i > 0 && byId(list[i - 1] as Json, t) > 0)) list.sort(byId);
    return ok(this.#page(r, list, this.quirks.servedPageSize));
  }

  #page(r: FakeRequest, list: Json[], served: number): Json[] {
    const page = Number(r.query.get('page') ?? 1);
    const asked = Number(r.query.get('items_per_page') ?? served);
    if (!Number.isInteger(page) || page < 1)
      throw new FakeHttpError(400, error('INVALID_PAGE', 'page must be 1 or more'));
    if (!Number.isInteger(asked) || asked < 1)
      throw new FakeHttpError(
        400,
        error('INVALID_ITEMS_PER_PAGE', 'items_per_page must be 1 or more'),
      );
    const size = this.quirks.honourPageSize ? asked : served;
    return list.slice((page - 1) * size, page * size);
  }

  /** `items_per_page` of every request matching `route`, in order. */
  pageSizes(route: string): number[] {
    return this.api.requests
      .filter((r) => r.route === route)
      .map((r) => Number(r.query.get('items_per_page') ?? Number.NaN));
  }
}

export type ArrivyEntity = ArrivyList | 'tasks' | 'task_statuses';

function listItem(fake: ArrivyFake, list: ArrivyList, at: number): Json {
  const id = fake.newId();
  const stamps = { created: arrivyIso(at), updated: arrivyIso(at) };
  switch (list) {
    case 'entities':
      return {
        id,
        name: `Crew member ${id.slice(-4)}`,
        type: 'CREW',
        owner: 1,
        email: `crew${id.slice(-4)}@example.com`,
        phone: '+13035550111',
        details: null,
        extra_fields: {},
        group_id: 6_000_001,
        external_id: null,
        image_id: null,
        image_path: null,
        permission: 'FIELDCREW',
        is_active: true,
        ...stamps,
      };
    case 'groups':
      return {
        id,
        url_safe_id: `g${id}`,
        owner: 1,
        name: `Group ${id.slice(-4)}`,
        description: null,
        email: null,
        phone: null,
        timezone: 'America/Denver',
        city: 'Denver',
        state: 'CO',
        zipcode: '80202',
        ...stamps,
      };
    case 'crews':
      return {
        id,
        name: `Crew ${id.slice(-4)}`,
        owner: 1,
        group_id: 6_000_001,
        entity_ids: [],
        ...stamps,
      };
    case 'bookings':
      return {
        id,
        title: `Booking ${id.slice(-4)}`,
        details: null,
        owner: 1,
        group_id: 6_000_001,
        template_id: null,
        duration: 120,
        is_active: true,
        extra_fields: {},
        ...stamps,
      };
    case 'statuses':
      return {
        id,
        name: `STATUS_${id.slice(-4)}`,
        title: `Status ${id.slice(-4)}`,
        type_id: 1,
        status_type: 'CUSTOM',
        is_active: true,
        order: 1,
        visible_to_customer: true,
        color: '#00aaff',
        ...stamps,
      };
  }
}

/**
 * The fake as the plugin kit's fixture for one entity, `size` records over the past 90 days.
 * Tasks: most scheduled at their creation, some unscheduled, some undated (a full read must
 * make all three pulls); task statuses: two entries for each of `size / 2` tasks.
 */
export async function startArrivyKitFixture(
  entity: ArrivyEntity,
  size: number,
  quirks: ArrivyQuirks = {},
): Promise<PluginKitFixture & { fake: ArrivyFake }> {
  const fake = await ArrivyFake.start(quirks);
  const now = Date.now();
  const ids = (list: Json[]) => list.map((r) => r.id);
  const inject = (route: string) => (fault: PluginKitFault) =>
    fake.api.fault(kitFault(fault, (r) => r.route === route));
  const base = {
    fake,
    config: {
      ARRIVY_AUTH_KEY: AUTH_KEY,
      ARRIVY_AUTH_TOKEN: AUTH_TOKEN,
      ARRIVY_BASE_URL: fake.baseUrl,
      ARRIVY_RATE_LIMIT: 100_000,
      ARRIVY_RETRY_BACKOFF_MS: 20,
    },
    // The periodic whole read is planned by the clock; the kit's deltas must be plain ones.
    pluginOptions: { 'full-read-hours': 0 },
    badCredentials: { ARRIVY_AUTH_TOKEN: 'wrong-arrivy-token' },
    close: () => fake.close(),
  };
  if (entity === 'tasks') {
    for (let n = 1; n <= size; n++) {
      const at = seededChangeTime(now, n, size);
      fake.addTask(at, n % 7 === 0 ? 'unscheduled' : n % 11 === 0 ? 'undated' : at);
    }
    return {
      ...base,
      /** The most recent tasks: inside a delta's schedule window. */
      async mutate(count) {
        const recent = fake.tasks
          .all()
          .filter((t) => t.start_datetime !== null)
          .slice(-count);
        for (const t of recent) fake.touch(t.id, { status: 'STARTED' });
        return ids(recent);
      },
      async addRecords(count, at) {
        return ids(Array.from({ length: count }, () => fake.addTask(at.getTime(), at.getTime())));
      },
      async corrupt(count) {
        const broken = fake.tasks.all().slice(-count);
        for (const t of broken)
          fake.tasks.change(t.id, { customer_email: 'not-an-email' }, fake.tasks.changedAt(t.id));
        return ids(broken);
      },
      async remove(count) {
        const gone = fake.tasks.all().slice(0, count);
        for (const t of gone) fake.tasks.delete(t.id);
        return ids(gone);
      },
      async setUpdatedAt(id, at) {
        fake.touch(id, {}, at.getTime());
      },
      async setCustomField(list, value) {
        for (const id of list) {
          const t = fake.tasks.get(id);
          const extra = { ...(t?.extra_fields as Record<string, unknown>), kit_custom: value };
          fake.tasks.change(id, { extra_fields: extra }, fake.tasks.changedAt(id));
        }
        return 'extra_kit_custom';
      },
      injectFault: inject('/api/tasks'),
      requestedPageSizes: () => fake.pageSizes('/api/tasks'),
    };
  }
  if (entity === 'task_statuses') {
    const tasks = Math.ceil(size / 2);
    let made = 0;
    for (let n = 1; n <= tasks; n++) {
      const at = seededChangeTime(now, n, tasks);
      const task = fake.addTask(at, at);
      for (let k = 0; k < 2 && made < size; k++, made++)
        fake.addStatus(task.id, at + k * 60_000, k === 0 ? 'ENROUTE' : 'COMPLETE');
    }
    return {
      ...base,
      async mutate() {
        throw new Error('Arrivy status entries are history: they are never changed');
      },
      /** A task scheduled at `at` with one status entry at `at`, per record. */
      async addRecords(count, at) {
        const added: string[] = [];
        for (let i = 0; i < count; i++) {
          const task = fake.addTask(at.getTime(), at.getTime());
          added.push(fake.addStatus(task.id, at.getTime()).id);
        }
        return added;
      },
      async corrupt(count) {
        const all = [...fake.statusEntries.values()].flat();
        const broken = all.slice(-count);
        for (const e of broken) e.reporter_id = 'not-a-number';
        return ids(broken);
      },
      injectFault: inject('/api/tasks/:id/status'),
      requestedPageSizes: () => fake.pageSizes('/api/tasks/:id/status'),
    };
  }
  const list = fake.lists[entity];
  for (let n = 1; n <= size; n++) list.push(listItem(fake, entity, seededChangeTime(now, n, size)));
  return {
    ...base,
    async mutate(count) {
      const changed = list.slice(0, count);
      for (const item of changed) {
        item.name = `Renamed ${item.id}`;
        item.title = `Renamed ${item.id}`;
        item.updated = arrivyIso(Date.now());
      }
      return ids(changed);
    },
    async addRecords(count, at) {
      const added = Array.from({ length: count }, () => listItem(fake, entity, at.getTime()));
      list.push(...added);
      return ids(added);
    },
    async corrupt(count) {
      const broken = list.slice(-count);
      for (const item of broken) {
        item.name = null;
        item.title = null;
      }
      return ids(broken);
    },
    async remove(count) {
      return ids(list.splice(0, count));
    },
    injectFault: inject(`/api/${entity}`),
    requestedPageSizes: () => fake.pageSizes(`/api/${entity}`),
  };
}
