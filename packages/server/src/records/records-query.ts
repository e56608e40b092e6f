import { type FieldSchema, InputError } from '@crmsync/core';
import {
  type CrmRecord,
  countLiveRecords,
  type DatabaseProvider,
  Prisma,
  type PrismaClient,
} from '../store/index.js';
import { decodeCursor, encodeCursor } from './record-cursor.js';

/** The filter operators, shared by the GraphQL enum and the CSV export's query check. */
export const RECORD_FILTER_OPS = [
  'EQUALS',
  'NOT_EQUALS',
  'CONTAINS',
  'GT',
  'GTE',
  'LT',
  'LTE',
  'IS_EMPTY',
  'IS_NOT_EMPTY',
] as const;

export type RecordFilterOp = (typeof RECORD_FILTER_OPS)[number];

export interface RecordFilter {
  field: string;
  op: RecordFilterOp;
  value?: string | null;
}

/** A record's status in two-way sync, from its local changes (see `syncStatusCondition`). */
export const RECORD_SYNC_STATUSES = ['synced', 'pending', 'conflict', 'rejected'] as const;
export type RecordSyncStatus = (typeof RECORD_SYNC_STATUSES)[number];

export interface RecordSort {
  /** A field of the entity's schema, or `externalId` / `lastSyncedAt` / `remoteUpdatedAt`. */
  field: string;
  direction: 'ASC' | 'DESC';
}

export interface RecordPageRequest {
  crm: string;
  entity: string;
  fields: FieldSchema;
  search?: string | null;
  filters?: RecordFilter[] | null;
  sort?: RecordSort | null;
  includeDeleted?: boolean;
  /** Page size. Backward (`before`, or `backward`) it is the number of rows before the cursor. */
  first: number;
  after?: string | null;
  /** Backward keyset paging: the rows just before this cursor, in the same order. */
  before?: string | null;
  /** Read the last page (or the page before `before`) instead of the first. */
  backward?: boolean;
  /** The entity's primary key field: an integer id sorts `externalId` as a number. */
  primaryKey?: string;
  /** Only records in this two-way sync status. */
  syncStatus?: RecordSyncStatus | null;
}

export interface RecordPage {
  records: CrmRecord[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

const NUMERIC = new Set(['integer', 'decimal']);
// Maps, and own properties of the field schema only: a field named `constructor` or
// `__proto__` must not find an inherited member of a plain object.
const COLUMNS = new Map([
  ['externalId', 'external_id'],
  ['lastSyncedAt', 'last_synced_at'],
  ['remoteUpdatedAt', 'remote_updated_at'],
]);
const COMPARISONS = new Map<RecordFilterOp, string>([
  ['EQUALS', '='],
  ['NOT_EQUALS', '<>'],
  ['GT', '>'],
  ['GTE', '>='],
  ['LT', '<'],
  ['LTE', '<='],
]);

/** The largest page a records query returns. */
export const MAX_PAGE_SIZE = 500;

/** `first` as given, or a typed error: never bent silently into range. */
export function checkPageSize(
  first: number | null | undefined,
  fallback = 50,
  field: 'first' | 'last' = 'first',
): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE)
    throw new InputError(field, `an integer from 1 to ${MAX_PAGE_SIZE}`, n);
  return n;
}

/** Text a database can take as a parameter: PostgreSQL refuses NUL and unpaired surrogates. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function storable(field: string, text: string): string {
  if (text.includes('\u0000') || LONE_SURROGATE.test(text))
    throw new InputError(field, 'text without NUL characters or unpaired surrogates', text);
  return text;
}

function fieldSpec(fields: FieldSchema, name: string) {
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

/**
 * Reads a page of an entity's records with keyset pagination: the cursor holds the sort value
 * and external_id of the last row, and the next page starts after it, so page 10,000 costs
 * what page 1 costs. Search, filters and sort on `data` fields are SQL per provider
 * (json_extract on SQLite, ->> on PostgreSQL); field names are checked against the entity's
 * field schema and every value is a bound parameter.
 */
export class RecordQuery {
  readonly #prisma: PrismaClient;
  readonly #provider: DatabaseProvider;

  constructor(prisma: PrismaClient, provider: DatabaseProvider) {
    this.#prisma = prisma;
    this.#provider = provider;
  }

  async page(request: RecordPageRequest): Promise<RecordPage> {
    const sort = request.sort ?? { field: 'externalId', direction: 'ASC' };
    const key = this.#sortKey(sort.field, request.fields, request.primaryKey);
    const where = this.#where(request);
    // Backward pages read the reversed order from the cursor, then turn the rows round.
    const backward = request.backward === true || request.before != null;
    const ascending = (sort.direction === 'ASC') !== backward;
    const cursor = backward ? request.before : request.after;
    if (cursor) {
      const [value, id] = decodeCursor(cursor, backward ? 'before' : 'after');
      const cmp = ascending ? Prisma.sql`>` : Prisma.sql`<`;
      where.push(Prisma.sql`(${key}, external_id) ${cmp} (${value}, ${id})`);
    }
    const dir = ascending ? Prisma.sql`ASC` : Prisma.sql`DESC`;
    const rows = await this.#prisma.$queryRaw<RawRecord[]>(Prisma.sql`
      SELECT crm_source, entity, external_id, data, content_hash, remote_updated_at,
             remote_created_at, first_synced_at, last_synced_at, deleted_at, last_run_id,
             ${key} AS sort_value
      FROM crm_record WHERE ${Prisma.join(where, ' AND ')}
      ORDER BY sort_value ${dir}, external_id ${dir}
      LIMIT ${request.first + 1}`);
    const page = rows.slice(0, request.first);
    if (backward) page.reverse();
    const more = rows.length > request.first;
    return {
      records: page.map(toRecord),
      cursors: page.map((r) => encodeCursor(r.sort_value, r.external_id)),
      hasNextPage: backward ? request.before != null : more,
      hasPreviousPage: backward ? more : request.after != null,
    };
  }

  async count(request: RecordPageRequest): Promise<number> {
    // The unfiltered count of live records, from indexes alone (see countLiveRecords).
    if (
      !request.search &&
      !request.filters?.length &&
      !request.includeDeleted &&
      !request.syncStatus
    )
      return countLiveRecords(this.#prisma, request.crm, request.entity);
    const rows = await this.#prisma.$queryRaw<Array<{ n: number | bigint }>>(Prisma.sql`
      SELECT count(*) AS n FROM crm_record WHERE ${Prisma.join(this.#where(request), ' AND ')}`);
    return Number(rows[0]?.n ?? 0);
  }

  #where(request: RecordPageRequest): Prisma.Sql[] {
    const where = [Prisma.sql`crm_source = ${request.crm}`, Prisma.sql`entity = ${request.entity}`];
    if (!request.includeDeleted) where.push(Prisma.sql`deleted_at IS NULL`);
    if (request.search) where.push(this.#search(storable('search', request.search)));
    for (const filter of request.filters ?? []) where.push(this.#filter(filter, request.fields));
    if (request.syncStatus) where.push(syncStatusCondition(request.syncStatus));
    return where;
  }

  /**
   * The id, or a scalar value at any depth of `data`, never a key: "first_name" must not match
   * every row. Walking the JSON costs more than a LIKE on its text, so that LIKE goes first, as
   * a necessary condition (a value's text is in the JSON text unless it holds a character JSON
   * escapes: then the walk alone decides).
   */
  #search(search: string): Prisma.Sql {
    const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const escaped = [...search].some((c) => c === '"' || c === '\\' || c.charCodeAt(0) < 0x20);
    if (this.#provider === 'postgresql') {
      // jsonpath functions, not a set-returning walk: that one's row estimate makes the plan
      // cost enough to trigger JIT compilation, a second per query. like_regex with flag "q"
      // matches the text literally; numbers and booleans are compared as their JSON text.
      const strings = `strict $.** ? (@.type() == "string" && @ like_regex ${JSON.stringify(search)} flag "iq")`;
      const values = Prisma.sql`(jsonb_path_exists(data::jsonb, ${strings}::jsonpath)
        OR jsonb_path_query_array(data::jsonb, 'strict $.** ? (@.type() == "number" || @.type() == "boolean")')::text ILIKE ${pattern} ESCAPE '\\')`;
      const text = escaped ? Prisma.sql`TRUE` : Prisma.sql`data::text ILIKE ${pattern} ESCAPE '\\'`;
      // CASE, not AND: PostgreSQL may evaluate AND's operands in any order.
      return Prisma.sql`(external_id ILIKE ${pattern} ESCAPE '\\' OR CASE WHEN ${text} THEN ${values} ELSE FALSE END)`;
    }
    const values = Prisma.sql`EXISTS (
      SELECT 1 FROM json_tree(crm_record.data) AS v
      WHERE v.type NOT IN ('object', 'array', 'null')
        AND (CASE v.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
             ELSE CAST(v.atom AS TEXT) END) LIKE ${pattern} ESCAPE '\\')`;
    const text = escaped ? Prisma.sql`1` : Prisma.sql`data LIKE ${pattern} ESCAPE '\\'`;
    return Prisma.sql`(external_id LIKE ${pattern} ESCAPE '\\' OR CASE WHEN ${text} THEN ${values} ELSE 0 END)`;
  }

  #filter(filter: RecordFilter, fields: FieldSchema): Prisma.Sql {
    if (!RECORD_FILTER_OPS.includes(filter.op)) {
      throw new InputError('filters.op', `one of ${RECORD_FILTER_OPS.join(', ')}`, filter.op);
    }
    const spec = fieldSpec(fields, filter.field);
    if (!spec) {
      throw new InputError(
        'filters.field',
        `a field of the entity: ${Object.keys(fields).join(', ')}`,
        filter.field,
      );
    }
    const text = this.#text(filter.field);
    if (filter.op === 'IS_EMPTY') return Prisma.sql`(${text} IS NULL OR ${text} = '')`;
    if (filter.op === 'IS_NOT_EMPTY') return Prisma.sql`(${text} IS NOT NULL AND ${text} <> '')`;
    const value = filter.value == null ? filter.value : storable('filters.value', filter.value);
    if (value === null || value === undefined) {
      throw new InputError(
        'filters.value',
        `a value for the ${filter.op} filter on ${filter.field}`,
      );
    }
    if (filter.op === 'CONTAINS') {
      const pattern = `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      return this.#provider === 'postgresql'
        ? Prisma.sql`${text} ILIKE ${pattern} ESCAPE '\\'`
        : Prisma.sql`${text} LIKE ${pattern} ESCAPE '\\'`;
    }
    const numeric = NUMERIC.has(spec.type);
    if (numeric && !Number.isFinite(Number(value))) {
      throw new InputError('filters.value', `a number (${filter.field} is ${spec.type})`, value);
    }
    const left = numeric ? this.#number(filter.field) : text;
    const right = numeric ? Prisma.sql`${Number(value)}` : Prisma.sql`${value}`;
    const op = COMPARISONS.get(filter.op) ?? '=';
    return Prisma.sql`${left} ${Prisma.raw(op)} ${right}`;
  }

  /**
   * The sort expression, never null so that row-value keyset comparisons hold. Typed by the
   * field schema: numbers as numbers, and an integer primary key sorts `externalId` (and
   * itself) by (length, text), which is numeric order for ids without leading zeros.
   */
  #sortKey(field: string, fields: FieldSchema, primaryKey?: string): Prisma.Sql {
    const integerIds =
      primaryKey !== undefined && fieldSpec(fields, primaryKey)?.type === 'integer';
    if (integerIds && (field === 'externalId' || field === primaryKey))
      return Prisma.sql`length(external_id)`;
    const column = COLUMNS.get(field);
    if (column) {
      if (field === 'externalId') return Prisma.sql`external_id`;
      return this.#provider === 'postgresql'
        ? Prisma.sql`COALESCE(${Prisma.raw(column)}, 'epoch'::timestamp)`
        : Prisma.sql`COALESCE(${Prisma.raw(column)}, 0)`;
    }
    const spec = fieldSpec(fields, field);
    if (!spec) {
      throw new InputError(
        'sort.field',
        `externalId, lastSyncedAt, remoteUpdatedAt or a field of the entity: ${Object.keys(fields).join(', ')}`,
        field,
      );
    }
    return NUMERIC.has(spec.type)
      ? Prisma.sql`COALESCE(${this.#number(field)}, -1e300)`
      : Prisma.sql`COALESCE(${this.#text(field)}, '')`;
  }

  #text(field: string): Prisma.Sql {
    return this.#provider === 'postgresql'
      ? Prisma.sql`(data ->> ${field})`
      : Prisma.sql`CAST(json_extract(data, ${jsonPath(field)}) AS TEXT)`;
  }

  #number(field: string): Prisma.Sql {
    // A lenient run keeps an invalid value as it came: such a value counts as no number.
    return this.#provider === 'postgresql'
      ? Prisma.sql`(CASE WHEN (data ->> ${field}) ~ '^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$' THEN (data ->> ${field})::float8 END)`
      : Prisma.sql`(CASE WHEN json_type(data, ${jsonPath(field)}) IN ('integer', 'real') THEN json_extract(data, ${jsonPath(field)}) END)`;
  }
}

function jsonPath(field: string): string {
  return `$."${field.replace(/"/g, '""')}"`;
}

interface RawRecord {
  crm_source: string;
  entity: string;
  external_id: string;
  data: unknown;
  content_hash: string;
  remote_updated_at: unknown;
  remote_created_at: unknown;
  first_synced_at: unknown;
  last_synced_at: unknown;
  deleted_at: unknown;
  last_run_id: string | null;
  sort_value: unknown;
}

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  return new Date(typeof value === 'bigint' ? Number(value) : (value as string | number));
}

function toRecord(row: RawRecord): CrmRecord {
  return {
    crmSource: row.crm_source,
    entity: row.entity,
    externalId: row.external_id,
    data: (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as CrmRecord['data'],
    contentHash: row.content_hash,
    remoteUpdatedAt: toDate(row.remote_updated_at),
    remoteCreatedAt: toDate(row.remote_created_at),
    firstSyncedAt: toDate(row.first_synced_at) ?? new Date(0),
    lastSyncedAt: toDate(row.last_synced_at) ?? new Date(0),
    deletedAt: toDate(row.deleted_at),
    lastRunId: row.last_run_id,
  };
}

/**
 * Records in a two-way sync status: an open conflict wins; otherwise the newest local change's
 * state decides (pending or pushing: pending; rejected; none or synced: synced).
 */
export function syncStatusCondition(status: RecordSyncStatus): Prisma.Sql {
  if (!RECORD_SYNC_STATUSES.includes(status))
    throw new InputError('syncStatus', `one of ${RECORD_SYNC_STATUSES.join(', ')}`, status);
  const same = Prisma.sql`lc.crm_source = crm_record.crm_source AND lc.entity = crm_record.entity
    AND lc.external_id = crm_record.external_id`;
  const conflict = Prisma.sql`EXISTS (SELECT 1 FROM local_change lc WHERE ${same} AND lc.state = 'conflict')`;
  if (status === 'conflict') return conflict;
  const newest = Prisma.sql`(SELECT lc.state FROM local_change lc WHERE ${same}
    ORDER BY lc.created_at DESC, lc.id DESC LIMIT 1)`;
  const states =
    status === 'pending'
      ? Prisma.sql`${newest} IN ('pending', 'pushing')`
      : status === 'rejected'
        ? Prisma.sql`${newest} = 'rejected'`
        : Prisma.sql`COALESCE(${newest}, 'synced') = 'synced'`;
  return Prisma.sql`(NOT ${conflict} AND ${states})`;
}
