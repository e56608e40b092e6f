import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  FakeApi,
  FakeHttpError,
  FakeRecords,
  type FakeRequest,
  formBody,
  jsonBody,
  ok,
  type PluginKitFixture,
  reply,
} from '@crmsync/core/testing';
import { stringify } from 'csv-stringify/sync';
import { importSPKI, jwtVerify } from 'jose';
import { parseSoql, type SoqlQuery, SoqlError, type SoqlValue } from './soql.js';

type Row = { id: string; [field: string]: unknown };
interface FieldDef {
  name: string;
  type: string;
  label: string;
  custom: boolean;
}

export const SALESFORCE_OBJECTS = ['Lead', 'Contact', 'Account', 'Opportunity'] as const;
export type SalesforceObject = (typeof SALESFORCE_OBJECTS)[number];
export const ENTITY_OBJECT: Record<string, SalesforceObject> = {
  leads: 'Lead',
  contacts: 'Contact',
  accounts: 'Account',
  opportunities: 'Opportunity',
};
const PREFIX: Record<string, string> = {
  Lead: '00Q',
  Contact: '003',
  Account: '001',
  Opportunity: '006',
};
const CLIENT = { id: 'sf-consumer-key', secret: 'sf-consumer-secret', refresh: 'sf-refresh-token' };
const USERNAME = 'integration@example.com';
const DAY = 86_400_000;

const f = (name: string, type: string, custom = false): FieldDef => ({
  name,
  type,
  label: name.replace(/__c$/, '').replace(/_/g, ' '),
  custom,
});
const STAMPS = [
  f('Id', 'id'),
  f('IsDeleted', 'boolean'),
  f('OwnerId', 'reference'),
  f('CreatedDate', 'datetime'),
  f('LastModifiedDate', 'datetime'),
  f('SystemModstamp', 'datetime'),
];
const FIELDS: Record<SalesforceObject, FieldDef[]> = {
  Lead: [
    ...STAMPS,
    f('FirstName', 'string'),
    f('LastName', 'string'),
    f('Name', 'string'),
    f('Email', 'email'),
    f('Phone', 'phone'),
    f('Company', 'string'),
    f('Status', 'picklist'),
    f('Address', 'address'),
    f('NumberOfEmployees', 'int'),
    f('Tier__c', 'string', true),
  ],
  Contact: [
    ...STAMPS,
    f('FirstName', 'string'),
    f('LastName', 'string'),
    f('Name', 'string'),
    f('Email', 'email'),
    f('Phone', 'phone'),
    f('AccountId', 'reference'),
    f('MailingAddress', 'address'),
    f('Tier__c', 'string', true),
  ],
  Account: [
    ...STAMPS,
    f('Name', 'string'),
    f('Website', 'url'),
    f('Phone', 'phone'),
    f('Industry', 'picklist'),
    f('Type', 'picklist'),
    f('BillingAddress', 'address'),
    f('Tier__c', 'string', true),
  ],
  Opportunity: [
    ...STAMPS,
    f('Name', 'string'),
    f('Amount', 'currency'),
    f('StageName', 'picklist'),
    f('CloseDate', 'date'),
    f('Probability', 'percent'),
    f('AccountId', 'reference'),
    f('IsWon', 'boolean'),
    f('Tier__c', 'string', true),
  ],
};

/** Salesforce's datetime: milliseconds and an offset without a colon (`…000+0000`). */
export const sfDateTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '+0000');
const sfTime = (text: string) => Date.parse(text.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
const sfId = (object: string, n: number) =>
  `${PREFIX[object] ?? 'a00'}${String(n).padStart(12, '0')}AAA`;
const errors = (errorCode: string, message: string) => [{ message, errorCode, fields: [] }];

function sample(object: SalesforceObject, n: number, at: number): Row {
  const Id = sfId(object, n);
  const base = {
    id: Id,
    Id,
    IsDeleted: false,
    OwnerId: '005000000000001AAA',
    CreatedDate: sfDateTime(at),
    LastModifiedDate: sfDateTime(at),
    SystemModstamp: sfDateTime(at),
    Tier__c: `tier-${n % 3}`,
  };
  const address = { street: `${n} Main St`, city: 'Springfield', country: 'US' };
  switch (object) {
    case 'Lead':
      return {
        ...base,
        FirstName: 'Lead',
        LastName: `Number${n}`,
        Name: `Lead Number${n}`,
        Email: `lead${n}@example.com`,
        Phone: `+1 555 010 ${String(n % 10_000).padStart(4, '0')}`,
        Company: `Company ${n}`,
        Status: 'Open - Not Contacted',
        Address: address,
        NumberOfEmployees: n % 500,
      };
    case 'Contact':
      return {
        ...base,
        FirstName: 'Contact',
        LastName: `Number${n}`,
        Name: `Contact Number${n}`,
        Email: `contact${n}@example.com`,
        Phone: `+1 555 020 ${String(n % 10_000).padStart(4, '0')}`,
        AccountId: sfId('Account', n),
        MailingAddress: address,
      };
    case 'Account':
      return {
        ...base,
        Name: `Account ${n}`,
        Website: `https://account${n}.example.com`,
        Phone: `+1 555 030 ${String(n % 10_000).padStart(4, '0')}`,
        Industry: 'Technology',
        Type: 'Customer',
        BillingAddress: address,
      };
    case 'Opportunity':
      return {
        ...base,
        Name: `Opportunity ${n}`,
        Amount: n * 100.5,
        StageName: 'Prospecting',
        CloseDate: '2027-01-15',
        Probability: 10,
        AccountId: sfId('Account', n),
        IsWon: false,
      };
  }
}

/** One object's rows, with a (SystemModstamp, Id)-sorted view kept between changes. */
class Table {
  readonly records: FakeRecords<Row>;
  #sorted: Row[] | undefined;
  constructor(api: FakeApi) {
    this.records = new FakeRecords<Row>(api.clock);
  }
  add(row: Row): void {
    this.records.add(row);
    this.#sorted = undefined;
  }
  change(id: string, patch: Partial<Row>): void {
    this.records.change(id, patch);
    this.#sorted = undefined;
  }
  sorted(): Row[] {
    this.#sorted ??= this.records
      .all()
      .map((row) => ({ row, at: sfTime(String(row.SystemModstamp)) }))
      .sort((a, b) => a.at - b.at || (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0))
      .map((e) => e.row);
    return this.#sorted;
  }
}

export interface FakeSalesforceOptions {
  size?: number;
  objects?: readonly SalesforceObject[];
  /** The org's rolling-24 h API allocation; default 15,000. */
  dailyLimit?: number;
  latencyMs?: number;
  /** Days the records' SystemModstamp spreads over, ending a day ago; default 89. */
  spreadDays?: number;
  /** Polls of a Bulk 2.0 job before it reports JobComplete; default 2. */
  bulkPolls?: number;
}

/** The connected app's certificate key pair (made once per process: RSA keys are slow to make). */
let keys: { publicKey: string; privateKey: string } | undefined;
export function connectedAppKeys() {
  keys ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return keys;
}

/**
 * Salesforce on the fake-API kit: `POST /services/oauth2/token` (client credentials, refresh
 * token, and the JWT bearer flow — the RS256 assertion verified with the connected app's
 * public key, `iss`/`sub`/`aud` checked), answering `instance_url` and no `expires_in`;
 * `Authorization: Bearer` on `/services/data/vNN.N/…` with 401 `INVALID_SESSION_ID` for an
 * expired session; `sobjects/<Object>/describe`; `query` and `queryAll` running a strict
 * SOQL subset (unquoted datetime literals; `query` leaves `IsDeleted` rows out) with
 * `Sforce-Query-Options: batchSize` (200–2,000, default 2,000), `nextRecordsUrl` and
 * `done`; Bulk API 2.0 query jobs with CSV results by `Sforce-Locator` (the literal "null" on
 * the last chunk); and the org's daily allocation in `Sforce-Limit-Info`, past which every
 * call is a 403 `REQUEST_LIMIT_EXCEEDED`. Errors are JSON arrays.
 */
export async function startFakeSalesforce(options: FakeSalesforceOptions = {}) {
  const size = options.size ?? 120;
  const dailyLimit = options.dailyLimit ?? 15_000;
  const sessions = new Map<string, boolean>();
  const batchSizes: Array<{ object: string; size: number }> = [];
  const api = new FakeApi({
    name: 'salesforce',
    latencyMs: options.latencyMs ?? 0,
    notFound: (r) =>
      reply(404, errors('NOT_FOUND', `The requested resource does not exist: ${r.path}`)),
    faultBody: (status) =>
      status === 403
        ? errors(
            'REQUEST_LIMIT_EXCEEDED',
            'ConcurrentRequests (Concurrent API Requests) Limit exceeded.',
          )
        : errors('UNKNOWN_EXCEPTION', 'An unexpected error occurred.'),
    rateLimits: [
      {
        name: 'daily',
        max: dailyLimit,
        windowMs: DAY,
        applies: (r) => r.path.startsWith('/services/data/'),
        reject: (_, s) =>
          reply(403, errors('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), {
            'sforce-limit-info': `api-usage=${dailyLimit - s.window.remaining(s.now)}/${dailyLimit}`,
          }),
        headers: (_, s) => ({
          'sforce-limit-info': `api-usage=${dailyLimit - s.window.remaining(s.now)}/${dailyLimit}`,
        }),
      },
    ],
  });
  const origin = await api.listen();
  const tables = {} as Record<SalesforceObject, Table>;
  const fields = {} as Record<SalesforceObject, FieldDef[]>;
  const now = api.clock.now();
  const spread = (options.spreadDays ?? 89) * DAY;
  for (const object of options.objects ?? SALESFORCE_OBJECTS) {
    tables[object] = new Table(api);
    fields[object] = [...FIELDS[object]];
    for (let n = 1; n <= size; n++) {
      const at = now - spread - DAY + Math.floor(((n - 1) * spread) / size);
      tables[object].add(sample(object, n, at));
    }
  }

  // —— auth ——
  const publicKey = await importSPKI(connectedAppKeys().publicKey, 'RS256');
  const issue = () => {
    const token = `00D000000000001!${randomBytes(24).toString('base64url')}`;
    sessions.set(token, true);
    return ok({
      access_token: token,
      instance_url: origin,
      id: `${origin}/id/00D000000000001AAA/005000000000001AAA`,
      token_type: 'Bearer',
      issued_at: String(api.clock.now()),
      signature: randomBytes(32).toString('base64'),
    });
  };
  const refused = (error: string, description: string) =>
    new FakeHttpError(400, { error, error_description: description });
  api.post(
    '/services/oauth2/token',
    async (request) => {
      const form = formBody(request);
      const grant = form.get('grant_type');
      if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
        try {
          await jwtVerify(form.get('assertion') ?? '', publicKey, {
            algorithms: ['RS256'],
            issuer: CLIENT.id,
            subject: USERNAME,
            audience: origin,
          });
        } catch {
          throw refused('invalid_grant', 'invalid assertion');
        }
        return issue();
      }
      if (form.get('client_id') !== CLIENT.id || form.get('client_secret') !== CLIENT.secret)
        throw refused('invalid_client', 'invalid client credentials');
      if (grant === 'client_credentials') return issue();
      if (grant === 'refresh_token') {
        if (form.get('refresh_token') !== CLIENT.refresh)
          throw refused('invalid_grant', 'expired access/refresh token');
        return issue();
      }
      throw refused('unsupported_grant_type', 'grant type not supported');
    },
    { auth: false },
  );
  const authorize = (request: FakeRequest) => {
    const token = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    if (!token || !sessions.get(token))
      throw new FakeHttpError(401, errors('INVALID_SESSION_ID', 'Session expired or invalid'));
  };
  const version = (request: FakeRequest) => {
    if (!/^v\d+\.\d$/.test(request.params.version ?? ''))
      throw new FakeHttpError(404, errors('NOT_FOUND', 'The requested resource does not exist'));
    return request.params.version as string;
  };

  // —— describe ——
  api.get('/services/data/:version/sobjects/:object/describe', (request) => {
    authorize(request);
    version(request);
    const object = request.params.object as SalesforceObject;
    if (!fields[object])
      throw new FakeHttpError(404, errors('NOT_FOUND', `The requested resource does not exist`));
    return ok({
      name: object,
      label: object,
      custom: false,
      queryable: true,
      fields: fields[object].map((d) => ({
        name: d.name,
        type: d.type,
        label: d.label,
        custom: d.custom,
        nillable: d.name !== 'Id',
      })),
    });
  });

  // —— SOQL ——
  const run = (q: string, all: boolean): { query: SoqlQuery; rows: Row[] } => {
    let query: SoqlQuery;
    try {
      query = parseSoql(q);
    } catch (error) {
      if (error instanceof SoqlError)
        throw new FakeHttpError(400, errors(error.errorCode, error.message));
      throw error;
    }
    const object = query.object as SalesforceObject;
    const defs = fields[object];
    if (!defs)
      throw new FakeHttpError(
        400,
        errors('INVALID_TYPE', `sObject type '${query.object}' is not supported.`),
      );
    const type = new Map(defs.map((d) => [d.name, d.type]));
    for (const name of [...query.fields, ...query.where.map((w) => w.field), ...query.orderBy])
      if (!type.has(name))
        throw new FakeHttpError(
          400,
          errors('INVALID_FIELD', `No such column '${name}' on entity '${object}'.`),
        );
    for (const w of query.where) {
      const t = type.get(w.field);
      if (t === 'datetime' && w.value.kind !== 'datetime' && w.value.kind !== 'null')
        throw new FakeHttpError(
          400,
          errors(
            'INVALID_FIELD',
            `value of filter criterion for field '${w.field}' must be of type dateTime and should not be enclosed in quotes`,
          ),
        );
    }
    const test = (row: Row) =>
      query.where.every((w) => compare(row[w.field], type.get(w.field), w.op, w.value));
    let rows = tables[object].sorted().filter((r) => (all || r.IsDeleted !== true) && test(r));
    const order = query.orderBy.join(',');
    if (order && order !== 'SystemModstamp,Id' && order !== 'SystemModstamp')
      rows = [...rows].sort((a, b) => {
        for (const k of query.orderBy) {
          const x = String(a[k] ?? '');
          const y = String(b[k] ?? '');
          if (x !== y) return x < y ? -1 : 1;
        }
        return 0;
      });
    if (query.limit !== undefined) rows = rows.slice(0, query.limit);
    return { query, rows };
  };
  const shape = (query: SoqlQuery, row: Row, v: string) => {
    const out: Record<string, unknown> = {
      attributes: {
        type: query.object,
        url: `/services/data/${v}/sobjects/${query.object}/${row.Id}`,
      },
    };
    for (const name of query.fields) out[name] = row[name] ?? null;
    return out;
  };
  const cursors = new Map<string, { query: SoqlQuery; rows: Row[] }>();
  let cursorSeq = 0;
  const batchOf = (request: FakeRequest) => {
    const header = String(request.headers['sforce-query-options'] ?? '');
    const m = /batchSize=(\d+)/i.exec(header);
    // 200–2,000; Salesforce may serve another size, never outside those bounds.
    return m ? Math.min(2_000, Math.max(200, Number(m[1]))) : 2_000;
  };
  const answer = (key: string, offset: number, batch: number, v: string) => {
    const cursor = cursors.get(key) as { query: SoqlQuery; rows: Row[] };
    const records = cursor.rows.slice(offset, offset + batch).map((r) => shape(cursor.query, r, v));
    const done = offset + batch >= cursor.rows.length;
    if (done) cursors.delete(key);
    return ok({
      totalSize: cursor.rows.length,
      done,
      ...(!done && { nextRecordsUrl: `/services/data/${v}/query/${key}-${offset + batch}` }),
      records,
    });
  };
  const queryRoute = (all: boolean) => (request: FakeRequest) => {
    authorize(request);
    const v = version(request);
    const q = request.query.get('q');
    if (!q) throw new FakeHttpError(400, errors('MALFORMED_QUERY', 'q parameter is required'));
    const { query, rows } = run(q, all);
    if (query.count) return ok({ totalSize: rows.length, done: true, records: [] });
    const batch = batchOf(request);
    // What the read asked a page of records to hold: the batch size header, else a LIMIT
    // (a probe for the oldest change, selecting no Id, is not a page of records).
    if (!all && query.fields.includes('Id'))
      batchSizes.push({
        object: query.object,
        size:
          query.limit !== undefined && !request.headers['sforce-query-options']
            ? query.limit
            : batch,
      });
    const key = `01g${String(++cursorSeq).padStart(12, '0')}AAA`;
    cursors.set(key, { query, rows });
    return answer(key, 0, batch, v);
  };
  api.get('/services/data/:version/query', queryRoute(false));
  api.get('/services/data/:version/queryAll', queryRoute(true));
  api.get('/services/data/:version/query/:locator', (request) => {
    authorize(request);
    const v = version(request);
    const m = /^(01g\w+)-(\d+)$/.exec(request.params.locator ?? '');
    const key = m?.[1] ?? '';
    if (!m || !cursors.has(key))
      throw new FakeHttpError(400, errors('INVALID_QUERY_LOCATOR', 'invalid query locator'));
    const batch = batchOf(request);
    batchSizes.push({ object: cursors.get(key)?.query.object ?? '', size: batch });
    return answer(key, Number(m[2]), batch, v);
  });

  // —— Bulk API 2.0 ——
  const jobs = new Map<string, { query: SoqlQuery; rows: Row[]; polls: number; object: string }>();
  api.post('/services/data/:version/jobs/query', (request) => {
    authorize(request);
    version(request);
    const body = jsonBody(request) as { operation?: string; query?: string } | undefined;
    if (!body?.query || (body.operation !== 'query' && body.operation !== 'queryAll'))
      throw new FakeHttpError(400, errors('INVALIDJOB', 'operation and query are required'));
    const { query, rows } = run(body.query, body.operation === 'queryAll');
    const compound = query.fields.find((name) =>
      fields[query.object as SalesforceObject]?.some(
        (d) => d.name === name && d.type === 'address',
      ),
    );
    if (compound)
      throw new FakeHttpError(
        400,
        errors(
          'API_ERROR',
          `FeatureNotEnabled : Compound data not supported in Bulk Query (${compound})`,
        ),
      );
    const id = `750${String(jobs.size + 1).padStart(12, '0')}AAA`;
    jobs.set(id, { query, rows, polls: 0, object: query.object });
    return ok({ id, operation: body.operation, object: query.object, state: 'UploadComplete' });
  });
  api.get('/services/data/:version/jobs/query/:id', (request) => {
    authorize(request);
    const job = jobs.get(request.params.id ?? '');
    if (!job) throw new FakeHttpError(404, errors('NOT_FOUND', 'job not found'));
    job.polls++;
    const complete = job.polls >= (options.bulkPolls ?? 2);
    return ok({
      id: request.params.id,
      object: job.object,
      state: complete ? 'JobComplete' : 'InProgress',
      numberRecordsProcessed: complete ? job.rows.length : 0,
    });
  });
  api.get('/services/data/:version/jobs/query/:id/results', (request) => {
    authorize(request);
    const job = jobs.get(request.params.id ?? '');
    if (!job) throw new FakeHttpError(404, errors('NOT_FOUND', 'job not found'));
    if (job.polls < (options.bulkPolls ?? 2))
      throw new FakeHttpError(400, errors('INVALIDJOBSTATE', 'job is not complete'));
    const max = Number(request.query.get('maxRecords') ?? job.rows.length);
    const locator = request.query.get('locator');
    const from = locator ? Number(Buffer.from(locator, 'base64url').toString('utf8')) : 0;
    if (!Number.isInteger(from))
      throw new FakeHttpError(400, errors('INVALID_LOCATOR', 'invalid locator'));
    const chunk = job.rows.slice(from, from + max);
    batchSizes.push({ object: job.object, size: max });
    const csv = stringify(
      chunk.map((row) =>
        job.query.fields.map((name) => {
          const value = row[name];
          return value === null || value === undefined ? '' : String(value);
        }),
      ),
      { header: true, columns: job.query.fields },
    );
    const next =
      from + max < job.rows.length ? Buffer.from(String(from + max)).toString('base64url') : 'null';
    return reply(200, csv, {
      'content-type': 'text/csv',
      'sforce-locator': next,
      'sforce-numberofrecords': String(chunk.length),
    });
  });

  return {
    api,
    tables,
    fields,
    origin,
    batchSizes,
    keys: connectedAppKeys(),
    credentials: {
      clientCredentials: {
        SALESFORCE_LOGIN_URL: origin,
        SALESFORCE_CLIENT_ID: CLIENT.id,
        SALESFORCE_CLIENT_SECRET: CLIENT.secret,
      },
      refreshToken: {
        SALESFORCE_LOGIN_URL: origin,
        SALESFORCE_CLIENT_ID: CLIENT.id,
        SALESFORCE_CLIENT_SECRET: CLIENT.secret,
        SALESFORCE_REFRESH_TOKEN: CLIENT.refresh,
      },
      jwt: {
        SALESFORCE_LOGIN_URL: origin,
        SALESFORCE_CLIENT_ID: CLIENT.id,
        SALESFORCE_USERNAME: USERNAME,
        SALESFORCE_PRIVATE_KEY: connectedAppKeys().privateKey,
      },
    },
    /** Every session ends (timeout, logout): the next call answers 401 INVALID_SESSION_ID. */
    expireSessions() {
      for (const token of sessions.keys()) sessions.set(token, false);
    },
    /** Sessions issued so far. */
    logins: () => sessions.size,
  };
}

function compare(
  value: unknown,
  type: string | undefined,
  op: string,
  literal: SoqlValue,
): boolean {
  if (literal.kind === 'null') {
    const isNull = value === null || value === undefined;
    return op === '=' ? isNull : op === '!=' ? !isNull : false;
  }
  if (value === null || value === undefined) return op === '!=';
  let a: number | string | boolean;
  let b: number | string | boolean;
  if (type === 'datetime' && literal.kind === 'datetime') {
    a = sfTime(String(value));
    b = literal.value;
  } else if (literal.kind === 'string' || literal.kind === 'datetime') {
    a = String(value);
    b = literal.kind === 'string' ? literal.value : String(literal.value);
  } else {
    a = value as number | boolean;
    b = literal.value;
  }
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

export type FakeSalesforce = Awaited<ReturnType<typeof startFakeSalesforce>>;

/** The fake as the plugin kit's fixture for one entity (client-credentials login). */
export async function salesforceFixture(
  entity: string,
  size: number,
  options: FakeSalesforceOptions = {},
): Promise<
  PluginKitFixture &
    FakeSalesforce & {
      remove(count: number): Promise<string[]>;
      setCustomField(ids: string[], value: string): Promise<string>;
      badCredentials: Record<string, string>;
    }
> {
  const object = ENTITY_OBJECT[entity];
  if (!object) throw new Error(`the fake Salesforce has no object for entity ${entity}`);
  const fake = await startFakeSalesforce({ ...options, size, objects: [object] });
  const table = fake.tables[object];
  const records = table.records;
  const touch = (id: string, patch: Partial<Row> = {}, at = fake.api.clock.now()) =>
    table.change(id, {
      ...patch,
      LastModifiedDate: sfDateTime(at),
      SystemModstamp: sfDateTime(at),
    });
  const live = () => records.all().filter((r) => r.IsDeleted !== true);
  const required = object === 'Lead' || object === 'Contact' ? 'LastName' : 'Name';
  const isQuery = (r: FakeRequest) => /\/query(All)?$|\/query\//.test(r.path);
  return {
    ...fake,
    config: { ...fake.credentials.clientCredentials, SALESFORCE_BULK_THRESHOLD: 1_000_000 },
    badCredentials: {
      ...fake.credentials.clientCredentials,
      SALESFORCE_CLIENT_SECRET: 'not-the-consumer-secret',
    },
    /** Deleted rows go to the recycle bin: `queryAll` returns them with IsDeleted = true. */
    async remove(count) {
      const ids = live()
        .slice(0, count)
        .map((r) => r.id);
      for (const id of ids) touch(id, { IsDeleted: true });
      return ids;
    },
    async mutate(count) {
      const ids = live()
        .slice(0, count)
        .map((r) => r.id);
      for (const id of ids) touch(id, { OwnerId: '005000000000002AAA' });
      return ids;
    },
    async addRecords(count, at) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const row = sample(object, records.size + 1, at.getTime());
        table.add(row);
        ids.push(row.id);
      }
      return ids;
    },
    async corrupt(count) {
      const ids = live()
        .slice(-count)
        .map((r) => r.id);
      for (const id of ids) table.change(id, { [required]: null });
      return ids;
    },
    /** The org gains a custom field (`Kit_Custom__c`) that describe lists from now on. */
    async setCustomField(ids, value) {
      if (!fake.fields[object].some((d) => d.name === 'Kit_Custom__c'))
        fake.fields[object].push(f('Kit_Custom__c', 'string', true));
      for (const id of ids) table.change(id, { Kit_Custom__c: value });
      return 'Kit_Custom__c';
    },
    injectFault(fault) {
      if (fault.kind === 'server-error')
        fake.api.fault({ status: 500, times: fault.count, match: isQuery });
      // Salesforce's rate limit is a 403 (too many concurrent requests here), with no Retry-After.
      else fake.api.fault({ status: 403, match: isQuery });
    },
    requestedPageSizes: () => fake.batchSizes.filter((b) => b.object === object).map((b) => b.size),
    async setUpdatedAt(id, at) {
      touch(id, {}, at.getTime());
    },
    close: () => fake.api.close(),
  };
}
