import { instantToWall, wallToInstant } from '@crmsync/core';
import {
  FakeApi,
  FakeHttpError,
  type FakeRequest,
  type FakeReply,
  reply,
} from '@crmsync/core/fake-api';
import { marketsharpSignature } from '../hmac.js';
import { ENTITY_SETS, type EdmType, type EntitySetSpec } from '../schema.js';
import { formatNaive, parseNaive } from '../timezone.js';

/** A record as the fake keeps it: DateTimes as instants (ms), the rest as the wire has them. */
export type FakeRow = Record<string, string | number | boolean | null>;

/**
 * A set whose rows are computed from their position instead of stored: the benchmark's million
 * activities, ordered by lastUpdate (one second apart from `start`) and key.
 */
export interface VirtualSet {
  count: number;
  start: number;
  row(index: number): FakeRow;
}

export interface MarketSharpFakeOptions {
  companyId?: string;
  userKey?: string;
  /** Base64, as MarketSharp issues it. */
  secretKey?: string;
  /** The server's zone: naive DateTimes are written and filters read in it. */
  timeZone?: string;
  /** Rows the server answers at most per request; a larger `$top` gets a next link. */
  serverPageSize?: number;
  /** Answer Atom XML whatever the Accept header asks (as the service does by default). */
  atomOnly?: boolean;
  /** Every `every`-th data request fails with the next of `statuses` (the seeds' sporadic errors). */
  sporadic?: { every: number; statuses: number[] };
  latencyMs?: number;
  /** Allowed distance of the signed time from the fake's clock, in seconds. Default 300. */
  skewSeconds?: number;
}

const META = 'http://schemas.microsoft.com/ado/2007/08/dataservices/metadata';
const DATA = 'http://schemas.microsoft.com/ado/2007/08/dataservices';

const wcfError = (message: string) => ({
  error: { code: '', message: { lang: 'en-US', value: message } },
});

type Test = (row: FakeRow) => boolean;

const COMPARE = /^(\w+) (gt|ge|lt|le|eq) datetime'([^']+)'$/;

/**
 * MarketSharp's OData v2 service as the plugin's tests see it: `GET /<EntitySet>` with
 * `$filter` (datetime comparisons on the change stamp, joined by `and`), `$orderby`, `$top`,
 * `$skip` and the server's own `$skiptoken` next links; JSON verbose for
 * `Accept: application/json;odata=verbose`, Atom otherwise; every request's HMAC header
 * verified (company, user key, time within the skew, signature); WCF error bodies.
 */
export class MarketSharpFake {
  readonly api: FakeApi;
  readonly companyId: string;
  readonly userKey: string;
  readonly secretKey: string;
  readonly timeZone: string;
  readonly rows = new Map<string, FakeRow[]>();
  readonly virtual = new Map<string, VirtualSet>();
  serverPageSize: number;
  atomOnly: boolean;
  sporadic: MarketSharpFakeOptions['sporadic'];
  baseUrl = '';
  /** Signed headers seen, for tests that check each request was signed anew. */
  readonly signatures: string[] = [];
  #dataRequests = 0;
  #sporadicNext = 0;
  readonly #skew: number;

  private constructor(o: MarketSharpFakeOptions) {
    this.companyId = o.companyId ?? '4321';
    this.userKey = o.userKey ?? 'fake-user-key-7d3a';
    this.secretKey =
      o.secretKey ?? Buffer.from('fake marketsharp secret key 0123').toString('base64');
    this.timeZone = o.timeZone ?? 'America/Chicago';
    this.serverPageSize = o.serverPageSize ?? 5000;
    this.atomOnly = o.atomOnly ?? false;
    this.sporadic = o.sporadic;
    this.#skew = o.skewSeconds ?? 300;
    this.api = new FakeApi({
      name: 'marketsharp',
      latencyMs: o.latencyMs ?? 0,
      auth: {
        kind: 'header',
        name: 'authorization',
        value: (credential) => this.#verify(credential),
        reject: () => reply(401, wcfError('Authorization failed: the signature does not match.')),
      },
      notFound: (r) =>
        reply(404, wcfError(`Resource not found for the segment '${r.path.slice(1)}'.`)),
      faultBody: (status) => wcfError(status === 503 ? 'Service Unavailable' : `HTTP ${status}`),
    });
    this.api.get('/WcfDataService.svc/:set', (r) => this.#list(r));
  }

  static async start(options: MarketSharpFakeOptions = {}): Promise<MarketSharpFake> {
    const fake = new MarketSharpFake(options);
    fake.baseUrl = `${await fake.api.listen()}/WcfDataService.svc`;
    return fake;
  }

  close(): Promise<void> {
    return this.api.close();
  }

  /** `$top` of each first request (not a next link) to `set`, in order. */
  pageSizes(set: string): number[] {
    return this.api.requests
      .filter((r) => r.path.endsWith(`/${set}`) && !r.query.has('$skiptoken') && r.status === 200)
      .map((r) => Number(r.query.get('$top')));
  }

  #verify(credential: string): boolean {
    const parts = credential.split(':');
    if (parts.length !== 4) return false;
    const [company, user, time, signature] = parts as [string, string, string, string];
    if (company !== this.companyId || user !== this.userKey || !/^\d+$/.test(time)) return false;
    if (Math.abs(Number(time) - Date.now() / 1000) > this.#skew) return false;
    if (signature !== marketsharpSignature(company, user, this.secretKey, Number(time)))
      return false;
    this.signatures.push(credential);
    return true;
  }

  #list(r: FakeRequest): FakeReply {
    const spec = ENTITY_SETS.find((s) => s.set === r.params.set);
    if (!spec)
      throw new FakeHttpError(
        404,
        wcfError(`Resource not found for the segment '${r.params.set}'.`),
      );
    this.#dataRequests++;
    const s = this.sporadic;
    if (s && this.#dataRequests % s.every === 0) {
      const status = s.statuses[this.#sporadicNext++ % s.statuses.length] ?? 503;
      throw new FakeHttpError(
        status,
        wcfError(status === 503 ? 'Service Unavailable' : 'Bad Request - Error in query syntax.'),
      );
    }
    const top = intParam(r, '$top');
    const offset = intParam(r, '$skiptoken') ?? intParam(r, '$skip') ?? 0;
    const filter = this.#filter(spec, r.query.get('$filter'));
    const order = this.#orderBy(spec, r.query.get('$orderby'));
    const wanted = Math.min(top ?? Number.POSITIVE_INFINITY, this.serverPageSize);
    const { page, total } = this.#select(spec, filter, order, offset, wanted);
    const served = offset + page.length;
    const more = page.length === wanted && served < total && (top === undefined || top > wanted);
    let next: string | undefined;
    if (more) {
      const q = new URLSearchParams(r.query);
      q.delete('$skip');
      q.set('$skiptoken', String(served));
      if (top !== undefined) q.set('$top', String(top - page.length));
      next = `${this.baseUrl}/${spec.set}?${q.toString().replace(/\+/g, '%20')}`;
    }
    const json = !this.atomOnly && /json/.test(String(r.headers.accept ?? ''));
    return json ? this.#json(spec, page, next) : this.#atom(spec, page, next);
  }

  /** The `$filter` as two tests: the lower bounds (gt, ge, eq) and the upper ones (lt, le, eq). */
  #filter(spec: EntitySetSpec, text: string | null): { lower: Test; upper: Test } {
    const lower: Test[] = [];
    const upper: Test[] = [];
    for (const clause of text ? text.split(' and ') : []) {
      const m = COMPARE.exec(clause.trim());
      const prop = m?.[1] ?? '';
      if (!m || spec.properties[prop] !== 'Edm.DateTime')
        throw new FakeHttpError(400, wcfError(`Bad Request - Error in query syntax: ${clause}`));
      const wall = parseNaive(m[3] ?? '');
      if (wall === null)
        throw new FakeHttpError(400, wcfError(`Unrecognized 'Edm.DateTime' literal '${m[3]}'`));
      const at = wallToInstant(wall, this.#zone(prop));
      const op = m[2];
      const value = (row: FakeRow) =>
        typeof row[prop] === 'number' ? (row[prop] as number) : Number.NaN;
      if (op === 'gt' || op === 'eq')
        lower.push((row) => (op === 'gt' ? value(row) > at : value(row) >= at));
      if (op === 'ge') lower.push((row) => value(row) >= at);
      if (op === 'lt') upper.push((row) => value(row) < at);
      if (op === 'le' || op === 'eq') upper.push((row) => value(row) <= at);
    }
    return {
      lower: (row) => lower.every((t) => t(row)),
      upper: (row) => upper.every((t) => t(row)),
    };
  }

  #orderBy(spec: EntitySetSpec, text: string | null): Array<[string, 1 | -1]> {
    if (!text) return [[spec.key, 1]];
    return text.split(',').map((part) => {
      const [prop = '', dir = 'asc'] = part.trim().split(/\s+/);
      if (!(prop in spec.properties))
        throw new FakeHttpError(
          400,
          wcfError(`No property '${prop}' exists in type '${spec.set}'`),
        );
      return [prop, dir === 'desc' ? -1 : 1];
    });
  }

  #select(
    spec: EntitySetSpec,
    filter: { lower: Test; upper: Test },
    order: Array<[string, 1 | -1]>,
    offset: number,
    wanted: number,
  ): { page: FakeRow[]; total: number } {
    const virtual = this.virtual.get(spec.set);
    if (virtual) {
      // Rows are in stamp order already: each bound is a binary search over positions.
      const first = (ok: (i: number) => boolean) => {
        let lo = 0;
        let hi = virtual.count;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (ok(mid)) hi = mid;
          else lo = mid + 1;
        }
        return lo;
      };
      const from = first((i) => filter.lower(virtual.row(i)));
      const to = Math.max(
        from,
        first((i) => !filter.upper(virtual.row(i))),
      );
      const start = from + offset;
      const end = Math.min(to, start + (Number.isFinite(wanted) ? wanted : to));
      const page: FakeRow[] = [];
      for (let i = start; i < end; i++) page.push(virtual.row(i));
      return { page, total: to - from };
    }
    const all = (this.rows.get(spec.set) ?? []).filter(
      (row) => filter.lower(row) && filter.upper(row),
    );
    all.sort((a, b) => {
      for (const [prop, dir] of order) {
        const x = a[prop] ?? '';
        const y = b[prop] ?? '';
        if (x < y) return -dir;
        if (x > y) return dir;
      }
      return 0;
    });
    return {
      page: all.slice(offset, Number.isFinite(wanted) ? offset + wanted : undefined),
      total: all.length,
    };
  }

  #zone(prop: string): string {
    return prop.endsWith('Utc') ? 'UTC' : this.timeZone;
  }

  /** A DateTime as the server writes it: its wall clock in the server's zone, no offset. */
  #wall(prop: string, at: number): number {
    return instantToWall(at, this.#zone(prop));
  }

  #json(spec: EntitySetSpec, page: FakeRow[], next: string | undefined): FakeReply {
    const properties = Object.entries(spec.properties);
    const type = `MarketSharpModel.${spec.set.replace(/ies$/, 'y').replace(/s$/, '')}`;
    const results = page.map((row) => {
      const out: Record<string, unknown> = {
        __metadata: { uri: `${this.baseUrl}/${spec.set}(${keyLiteral(spec, row)})`, type },
      };
      for (const [prop, type] of properties) {
        const v = row[prop] ?? null;
        out[prop] =
          v === null
            ? null
            : type === 'Edm.DateTime'
              ? `/Date(${this.#wall(prop, Number(v))})/`
              : v;
      }
      return out;
    });
    return reply(
      200,
      { d: { results, ...(next && { __next: next }) } },
      {
        'content-type': 'application/json;odata=verbose;charset=utf-8',
        dataserviceversion: '2.0;',
      },
    );
  }

  #atom(spec: EntitySetSpec, page: FakeRow[], next: string | undefined): FakeReply {
    const parts: string[] = [
      `<?xml version="1.0" encoding="utf-8" standalone="yes"?><feed xml:base="${this.baseUrl}/" xmlns:d="${DATA}" xmlns:m="${META}" xmlns="http://www.w3.org/2005/Atom"><title type="text">${spec.set}</title><id>${this.baseUrl}/${spec.set}</id><updated>${new Date().toISOString()}</updated><link rel="self" title="${spec.set}" href="${spec.set}" />`,
    ];
    for (const row of page) {
      parts.push(
        `<entry><id>${this.baseUrl}/${spec.set}(${escapeXml(keyLiteral(spec, row))})</id><title type="text" /><updated>${new Date().toISOString()}</updated><author><name /></author><content type="application/xml"><m:properties>`,
      );
      for (const [prop, type] of Object.entries(spec.properties)) {
        const v = row[prop] ?? null;
        const typeAttr = type === 'Edm.String' ? '' : ` m:type="${type}"`;
        if (v === null) parts.push(`<d:${prop}${typeAttr} m:null="true" />`);
        else
          parts.push(
            `<d:${prop}${typeAttr}>${escapeXml(type === 'Edm.DateTime' ? formatNaive(this.#wall(prop, Number(v))).replace(/\.000$/, '') : String(v))}</d:${prop}>`,
          );
      }
      parts.push('</m:properties></content></entry>');
    }
    if (next) parts.push(`<link rel="next" href="${escapeXml(next)}" />`);
    parts.push('</feed>');
    return reply(200, parts.join(''), {
      'content-type': 'application/atom+xml;type=feed;charset=utf-8',
      dataserviceversion: '2.0;',
    });
  }
}

function intParam(r: FakeRequest, name: string): number | undefined {
  const v = r.query.get(name);
  if (v === null) return undefined;
  if (!/^\d+$/.test(v)) throw new FakeHttpError(400, wcfError(`Invalid value '${v}' for ${name}`));
  return Number(v);
}

function keyLiteral(spec: EntitySetSpec, row: FakeRow): string {
  const v = row[spec.key];
  return spec.properties[spec.key] === 'Edm.Guid' ? `guid'${String(v)}'` : String(v);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A deterministic GUID for row `n` of a set. */
export function fakeGuid(set: string, n: number): string {
  let h = 2166136261;
  for (const c of set) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const hex = (x: number, w: number) => (x >>> 0).toString(16).padStart(w, '0').slice(-w);
  return `${hex(h, 8)}-${hex(n >>> 16, 4)}-4${hex(n, 3)}-8${hex(h >>> 4, 3)}-${hex(n * 2654435761, 12)}`;
}

/** Row `n` of a set, its DateTimes (and change stamp) at `at`. */
export function fakeRow(spec: EntitySetSpec, n: number, at: number): FakeRow {
  const row: FakeRow = {};
  for (const [prop, type] of Object.entries(spec.properties as Record<string, EdmType>)) {
    if (prop === spec.key) {
      row[prop] = type === 'Edm.Int32' ? n : fakeGuid(spec.set, n);
      continue;
    }
    switch (type) {
      case 'Edm.Guid':
        row[prop] = fakeGuid(`${spec.set}.${prop}`, n % 997);
        break;
      case 'Edm.Int32':
        row[prop] = (n * 7) % 1000;
        break;
      case 'Edm.Boolean':
        row[prop] = n % 3 !== 0;
        break;
      case 'Edm.DateTime':
        row[prop] = at;
        break;
      case 'Edm.Decimal':
        row[prop] = `${(n % 5000) + 100}.25`;
        break;
      case 'Edm.Double':
        row[prop] = 41.5 + (n % 100) / 1000;
        break;
      default:
        row[prop] = /^email\d?$/.test(prop) ? `person${n}@example.com` : `${prop} ${n} <&>`;
    }
  }
  return row;
}
