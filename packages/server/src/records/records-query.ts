import { CrmsyncError, type FieldSchema, type FieldSpec, InputError } from '@crmsync/core';
import {
  type CrmRecord,
  countLiveRecords,
  type DatabaseProvider,
  Prisma,
  type PrismaClient,
} from '../store/index.js';
import {
  fieldExpressions,
  isNumericField,
  integerIdIndexName,
  recordIndexName,
  sqlLiteral,
} from '../store/record-table.js';
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

/** How long a query that reads every record of an entity (a non-indexed filter or sort) may take. */
export const DEFAULT_SCAN_BUDGET_MS = 5_000;

/** Records a SQLite scan reads between two looks at its deadline. */
const SCAN_SLICE_ROWS = 10_000;

/**
 * A filter, sort or search on fields the entity does not index read the entity's records for
 * longer than the query's budget: the query was stopped rather than left to run.
 */
export class ScanTimeoutError extends CrmsyncError {
  readonly field: string;
  readonly records: number;
  readonly budgetMs: number;
  constructor(what: string, field: string, records: number, budgetMs: number) {
    const fix =
      field === 'search'
        ? 'narrow it with a filter on an indexed field'
        : `index it by declaring \`indexed: true\` on ${field} in the entity's field schema`;
    super(
      'config',
      `${what} scans ${records.toLocaleString('en-US')} records and took longer than ${budgetMs / 1000}s; ${fix}`,
      { field, code: 'SCAN_TIMEOUT' },
    );
    this.name = 'ScanTimeoutError';
    this.field = field;
    this.records = records;
    this.budgetMs = budgetMs;
  }
}

/** What a query reads: through an index, or every record of the entity (the first reason). */
interface QueryPlan {
  where: Prisma.Sql[];
  /** What makes the query read every record, as the timeout error names it; none: indexed. */
  scan: { what: string; field: string } | null;
  /** The index of the first indexed filter's field, if any. */
  index: string | null;
}

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
  readonly #scanBudgetMs: number;
  readonly #sliceRows: number;

  /**
   * `scanBudgetMs`: how long a query that reads every record may run (DEFAULT_SCAN_BUDGET_MS);
   * `scanSliceRows`: the records a SQLite scan reads between looks at its deadline.
   */
  constructor(
    prisma: PrismaClient,
    provider: DatabaseProvider,
    options: { scanBudgetMs?: number; scanSliceRows?: number } = {},
  ) {
    this.#prisma = prisma;
    this.#provider = provider;
    this.#scanBudgetMs = options.scanBudgetMs ?? DEFAULT_SCAN_BUDGET_MS;
    this.#sliceRows = options.scanSliceRows ?? SCAN_SLICE_ROWS;
  }

  async page(request: RecordPageRequest): Promise<RecordPage> {
    const sort = request.sort ?? { field: 'externalId', direction: 'ASC' };
    const key = this.#sortKey(sort.field, request.fields, request.primaryKey);
    // PostgreSQL sorting by an indexed field: filters on other fields stay off their indexes
    // (written exactly, not on the key), so the planner walks the sort's index and stops when
    // the page is full rather than sorting every match (1.4 s at 300,000 records with 50,000
    // matches, measured); SQLite is told which index to use instead (see #indexed).
    const plan = this.#plan(
      request,
      this.#provider === 'postgresql' && key.indexed === true ? sort.field : null,
    );
    if (!plan.scan && key.scans) plan.scan = { what: `sort on ${sort.field}`, field: sort.field };
    const { where } = plan;
    // Backward pages read the reversed order from the cursor, then turn the rows round.
    const backward = request.backward === true || request.before != null;
    const ascending = (sort.direction === 'ASC') !== backward;
    const cursor = backward ? request.before : request.after;
    if (cursor) {
      const [value, id] = decodeCursor(cursor, backward ? 'before' : 'after');
      const cmp = ascending ? Prisma.sql`>` : Prisma.sql`<`;
      // The row value alone is no range for SQLite on an expression index (it reads the index
      // from its start, every page slower than the last): the key's own bound is.
      const bound = ascending ? Prisma.sql`>=` : Prisma.sql`<=`;
      where.push(Prisma.sql`${key.sql} ${bound} ${value}`);
      where.push(Prisma.sql`(${key.sql}, external_id) ${cmp} (${value}, ${id})`);
    }
    const dir = ascending ? Prisma.sql`ASC` : Prisma.sql`DESC`;
    // The sort field's index reads the page in order; else an indexed filter's narrows it.
    const index =
      key.indexed === 'ids'
        ? integerIdIndexName(request.crm, request.entity)
        : key.indexed
          ? this.#indexName(request, sort.field)
          : plan.index;
    const select = (db: Queryable, conditions: Prisma.Sql[], columns: Prisma.Sql) =>
      this.#indexed(index, (from) =>
        db.$queryRaw<RawRecord[]>(Prisma.sql`
        SELECT ${columns}, ${key.sql} AS sort_value
        FROM ${from} WHERE ${Prisma.join(conditions, ' AND ')}
        ORDER BY sort_value ${dir}, external_id ${dir}
        LIMIT ${request.first + 1}`),
      );
    const all = Prisma.sql`crm_source, entity, external_id, data, content_hash, remote_updated_at,
             remote_created_at, first_synced_at, last_synced_at, deleted_at, last_run_id`;
    let rows: RawRecord[];
    if (!plan.scan) rows = await select(this.#prisma, where, all);
    else if (this.#provider === 'postgresql')
      rows = await this.#withStatementTimeout(request, plan.scan, (tx) => select(tx, where, all));
    else {
      // Each slice's best rows are candidates; the page is the best of the candidates.
      const ids: string[] = [];
      await this.#slices(request, plan.scan, async (range) => {
        const best = await select(this.#prisma, [...where, ...range], Prisma.sql`external_id`);
        for (const row of best) ids.push(row.external_id);
      });
      const chosen = Prisma.sql`external_id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
      rows = await select(this.#prisma, [...where, chosen], all);
    }
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
    const { where, scan, index } = this.#plan(request);
    const count = async (db: Queryable, conditions: Prisma.Sql[]) => {
      const rows = await this.#indexed(index, (from) =>
        db.$queryRaw<Array<{ n: number | bigint }>>(Prisma.sql`
          SELECT count(*) AS n FROM ${from} WHERE ${Prisma.join(conditions, ' AND ')}`),
      );
      return Number(rows[0]?.n ?? 0);
    };
    if (!scan) return count(this.#prisma, where);
    if (this.#provider === 'postgresql')
      return this.#withStatementTimeout(request, scan, (tx) => count(tx, where));
    let total = 0;
    await this.#slices(request, scan, async (range) => {
      total += await count(this.#prisma, [...where, ...range]);
    });
    return total;
  }

  /**
   * PostgreSQL stops a statement that runs past `statement_timeout`; SET LOCAL keeps the
   * setting to this transaction, so the pooled connection goes back as it was.
   */
  async #withStatementTimeout<T>(
    request: RecordPageRequest,
    scan: { what: string; field: string },
    work: (tx: Queryable) => Promise<T>,
  ): Promise<T> {
    const budget = Math.max(1, Math.round(this.#scanBudgetMs));
    try {
      return await this.#prisma.$transaction(
        async (tx) => {
          await tx.$executeRawUnsafe(`SET LOCAL statement_timeout = ${budget}`);
          return work(tx);
        },
        { timeout: budget + 10_000, maxWait: 10_000 },
      );
    } catch (error) {
      if (!isStatementTimeout(error)) throw error;
      const records = await countLiveRecords(this.#prisma, request.crm, request.entity);
      throw new ScanTimeoutError(scan.what, scan.field, records, budget);
    }
  }

  /**
   * SQLite cannot stop a running statement from this connection (better-sqlite3 offers no
   * interrupt, and it blocks the event loop while it runs). So a scan reads the entity in
   * slices of SCAN_SLICE_ROWS records by external id (each bounded through the primary key)
   * and checks its deadline between slices: it stops at most one slice late.
   */
  async #slices(
    request: RecordPageRequest,
    scan: { what: string; field: string },
    each: (range: Prisma.Sql[]) => Promise<void>,
  ): Promise<void> {
    const deadline = Date.now() + this.#scanBudgetMs;
    const scope = this.#scope(request);
    let from: string | null = null;
    for (;;) {
      const after: Prisma.Sql[] = from === null ? [] : [Prisma.sql`external_id > ${from}`];
      const ends = await this.#prisma.$queryRaw<Array<{ external_id: string }>>(Prisma.sql`
        SELECT external_id FROM crm_record WHERE ${Prisma.join([...scope, ...after], ' AND ')}
        ORDER BY external_id LIMIT 1 OFFSET ${this.#sliceRows - 1}`);
      const to: string | null = ends[0]?.external_id ?? null;
      await each(to === null ? after : [...after, Prisma.sql`external_id <= ${to}`]);
      if (to === null) return;
      if (Date.now() > deadline) {
        const records = await countLiveRecords(this.#prisma, request.crm, request.entity);
        throw new ScanTimeoutError(scan.what, scan.field, records, this.#scanBudgetMs);
      }
      from = to;
    }
  }

  /**
   * The entity's rows. The names are literals, not parameters: a partial index (the entity's
   * indexed fields, see recordIndexSpecs) is used only when the query's WHERE implies its own,
   * and SQLite proves that from literals alone.
   */
  #scope(request: RecordPageRequest): Prisma.Sql[] {
    return [
      Prisma.raw(`crm_source = ${sqlLiteral(storable('crm', request.crm))}`),
      Prisma.raw(`entity = ${sqlLiteral(storable('entity', request.entity))}`),
    ];
  }

  #indexName(request: RecordPageRequest, field: string): string {
    const spec = fieldSpec(request.fields, field) as FieldSpec;
    const provider = this.#provider === 'postgresql' ? 'postgresql' : 'sqlite';
    return recordIndexName(provider, request.crm, request.entity, field, spec);
  }

  /**
   * Runs a query on `crm_record`, on SQLite through `index` when there is one (INDEXED BY).
   * Without statistics (nothing here runs ANALYZE on a table of millions of rows) SQLite's
   * planner guesses that an entity has ten rows and reads them through its primary key, then
   * sorts; PostgreSQL analyzes the table when it creates the indexes and chooses by itself.
   * An index the entity declares but that no sync has created yet (`ensureIndexes`) is not
   * there: the query then runs without it.
   */
  async #indexed<T>(index: string | null, run: (from: Prisma.Sql) => Promise<T>): Promise<T> {
    const table = Prisma.raw('crm_record');
    if (!index || this.#provider === 'postgresql') return run(table);
    try {
      return await run(Prisma.raw(`crm_record INDEXED BY "${index}"`));
    } catch (error) {
      if (!/no such index/.test(String((error as Error).message))) throw error;
      return run(table);
    }
  }

  #plan(request: RecordPageRequest, sortedBy: string | null = null): QueryPlan {
    const where = this.#scope(request);
    let scan: QueryPlan['scan'] = null;
    if (!request.includeDeleted) where.push(Prisma.sql`deleted_at IS NULL`);
    if (request.search) {
      where.push(this.#search(storable('search', request.search)));
      scan = { what: 'search', field: 'search' };
    }
    let index: string | null = null;
    for (const filter of request.filters ?? []) {
      const useKey = sortedBy === null || filter.field === sortedBy;
      const { sql, indexed } = this.#filter(filter, request.fields, useKey);
      where.push(sql);
      if (!indexed && !scan) scan = { what: `filter on ${filter.field}`, field: filter.field };
      if (indexed && !index) index = this.#indexName(request, filter.field);
    }
    // A record's two-way sync status: a lookup in local_change/sync_conflict by the record's key.
    if (request.syncStatus) where.push(syncStatusCondition(request.syncStatus));
    return { where, scan, index };
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

  /**
   * A filter's condition, and whether the entity's index on the field serves it. On an indexed
   * field the condition is put on the sort key, the index's own expression, so the index's
   * range answers it; where that is only a necessary condition (a NULL sorts as '' or -1e300),
   * the exact one follows as well.
   */
  #filter(
    filter: RecordFilter,
    fields: FieldSchema,
    useKey = true,
  ): { sql: Prisma.Sql; indexed: boolean } {
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
    const sql = this.#fieldSql(filter.field, spec);
    const indexed = spec.indexed === true;
    const numeric = isNumericField(spec);
    const text = sql.text;
    if (filter.op === 'IS_EMPTY') {
      const exact = Prisma.sql`(${text} IS NULL OR ${text} = '')`;
      if (!indexed || !useKey) return { sql: exact, indexed };
      // '' and no value are the text key's ''; a number's key -1e300 also holds non-numbers.
      return numeric
        ? { sql: Prisma.sql`${sql.key} = -1e300 AND ${exact}`, indexed }
        : { sql: Prisma.sql`${sql.key} = ''`, indexed };
    }
    if (filter.op === 'IS_NOT_EMPTY') {
      const exact = Prisma.sql`(${text} IS NOT NULL AND ${text} <> '')`;
      if (indexed && !numeric && useKey) return { sql: Prisma.sql`${sql.key} > ''`, indexed };
      return { sql: exact, indexed: false };
    }
    const value = filter.value == null ? filter.value : storable('filters.value', filter.value);
    if (value === null || value === undefined) {
      throw new InputError(
        'filters.value',
        `a value for the ${filter.op} filter on ${filter.field}`,
      );
    }
    if (filter.op === 'CONTAINS') {
      const pattern = `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const like =
        this.#provider === 'postgresql'
          ? Prisma.sql`${text} ILIKE ${pattern} ESCAPE '\\'`
          : Prisma.sql`${text} LIKE ${pattern} ESCAPE '\\'`;
      return { sql: like, indexed: false };
    }
    if (numeric && !Number.isFinite(Number(value))) {
      throw new InputError('filters.value', `a number (${filter.field} is ${spec.type})`, value);
    }
    const right = numeric ? Prisma.sql`${Number(value)}` : Prisma.sql`${value}`;
    const op = Prisma.raw(COMPARISONS.get(filter.op) ?? '=');
    const exact = Prisma.sql`${numeric ? sql.number : text} ${op} ${right}`;
    if (!indexed || filter.op === 'NOT_EQUALS') return { sql: exact, indexed: false };
    if (!useKey) return { sql: exact, indexed };
    const onKey = Prisma.sql`${sql.key} ${op} ${right}`;
    // The key's comparison is the exact one unless a missing value (the key's floor) can pass.
    const exactOnKey =
      (filter.op === 'EQUALS' || filter.op === 'GT' || filter.op === 'GTE') &&
      (numeric ? Number(value) > -1e300 : value !== '');
    return { sql: exactOnKey ? onKey : Prisma.sql`${onKey} AND ${exact}`, indexed };
  }

  /**
   * The sort expression, never null so that row-value keyset comparisons hold (see
   * fieldExpressions); `scans` when no index of the entity has it. An integer primary key
   * sorts `externalId` (and itself) by (length, text), which is numeric order for ids
   * without leading zeros.
   */
  #sortKey(
    field: string,
    fields: FieldSchema,
    primaryKey?: string,
  ): { sql: Prisma.Sql; scans: boolean; indexed: boolean | 'ids' } {
    const integerIds =
      primaryKey !== undefined && fieldSpec(fields, primaryKey)?.type === 'integer';
    if (integerIds && (field === 'externalId' || field === primaryKey))
      return { sql: Prisma.sql`length(external_id)`, scans: false, indexed: 'ids' };
    const column = COLUMNS.get(field);
    if (column) {
      if (field === 'externalId')
        return { sql: Prisma.sql`external_id`, scans: false, indexed: false };
      const sql =
        this.#provider === 'postgresql'
          ? Prisma.sql`COALESCE(${Prisma.raw(column)}, 'epoch'::timestamp)`
          : Prisma.sql`COALESCE(${Prisma.raw(column)}, 0)`;
      // remote_updated_at has its index (crm_source, entity, remote_updated_at); the sync time not.
      return { sql, scans: field === 'lastSyncedAt', indexed: false };
    }
    const spec = fieldSpec(fields, field);
    if (!spec) {
      throw new InputError(
        'sort.field',
        `externalId, lastSyncedAt, remoteUpdatedAt or a field of the entity: ${Object.keys(fields).join(', ')}`,
        field,
      );
    }
    const indexed = spec.indexed === true;
    return { sql: this.#fieldSql(field, spec).key, scans: !indexed, indexed };
  }

  #fieldSql(
    field: string,
    spec: FieldSpec,
  ): { text: Prisma.Sql; number: Prisma.Sql; key: Prisma.Sql } {
    const provider = this.#provider === 'postgresql' ? 'postgresql' : 'sqlite';
    const sql = fieldExpressions(provider, storable('field', field), spec);
    return { text: Prisma.raw(sql.text), number: Prisma.raw(sql.number), key: Prisma.raw(sql.key) };
  }
}

/** The client or an interactive transaction's: what the queries run on. */
type Queryable = Pick<PrismaClient, '$queryRaw'>;

/** PostgreSQL's query_canceled (57014), as the pg driver and Prisma's adapter report it. */
function isStatementTimeout(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    const text = `${(e as { message?: unknown }).message ?? ''} ${JSON.stringify((e as { meta?: unknown }).meta ?? null)}`;
    if (code === '57014' || /57014|statement timeout/.test(text)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
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
