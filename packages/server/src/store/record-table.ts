import { createHash } from 'node:crypto';
import {
  CrmsyncError,
  type FieldSchema,
  type FieldSpec,
  type FieldType,
  indexedFields,
  type FinishRunInput,
  type IndexChanges,
  type RecordGroups,
  type RecordWrite,
  type RunProgressUpdate,
  type RunQuery,
  type SyncEventInput,
  type SyncRun,
  type UpsertOptions,
  type UpsertResult,
} from '@crmsync/core';
import type { ColumnCodec } from './run-row.js';
import type { Statement } from './run-statements.js';

/** A database's value formats (`codec`) and its n-th (1-based) placeholder (`param`). */
export interface SqlDialect {
  codec: ColumnCodec;
  param(n: number): string;
}

/**
 * A sync's hot path in the database's own SQL: the store's bulk upsert and soft deletes go
 * through the driver directly (one SELECT, then multi-row upserts of new and changed rows
 * only, in one transaction), not through Prisma's per-row queries; and so does the run's own
 * bookkeeping (its history row, progress and log lines), which a sync touches at start, on
 * every page and at the end. Prisma plans each query shape the first time a process uses it
 * (tens of milliseconds each, measured), and a CLI sync is a fresh process every time.
 */
export interface RecordTable {
  upsert(
    crmSource: string,
    entity: string,
    records: RecordWrite[],
    options: UpsertOptions,
  ): Promise<UpsertResult>;
  softDelete(
    crmSource: string,
    entity: string,
    externalIds: string[],
    runId: string,
    now: Date,
  ): Promise<number>;
  softDeleteMissing(
    crmSource: string,
    entity: string,
    keep: ReadonlySet<string>,
    runId: string,
    now: Date,
  ): Promise<number>;
  softDeleteMissingInGroups(
    crmSource: string,
    entity: string,
    scope: RecordGroups,
    keep: ReadonlySet<string>,
    runId: string,
    now: Date,
  ): Promise<number>;
  /**
   * Saves a running run's counts, heartbeat, checkpoint and high-water mark (absent ones are
   * left as they are), in the columns and formats Prisma maps them to. Once per page, so it
   * goes through the driver too. False when the run is not running.
   */
  updateRunProgress(runId: string, update: RunProgressUpdate): Promise<boolean>;
  /**
   * Appends log lines and then drops each of their runs' oldest lines beyond `keepPerRun`, in
   * one transaction. A sync logs every page's warnings, so this goes through the driver too.
   * An event of a run that does not exist fails the whole call (see `unknownRunError`).
   */
  appendEvents(events: SyncEventInput[], keepPerRun: number): Promise<void>;
  /**
   * Inserts a new run's row. False, with nothing written, when the run is not a dry run and its
   * (crm, entity) already has a running non-dry run (the unique index `sync_history_running_idx`).
   */
  insertRun(run: SyncRun): Promise<boolean>;
  /** The running, non-dry run of a CRM's entity, if any. */
  runningRun(crmSource: string, syncType: string): Promise<SyncRun | null>;
  /** This database's placeholders and value formats, for statements built outside (shared-state.ts). */
  readonly dialect: SqlDialect;
  /**
   * Runs one statement of the store's small shared tables (source marks, request budgets) and
   * returns the rows it yields (SELECT or RETURNING; none otherwise). A sync reads its source
   * marks at start, so these go through the driver too rather than loading Prisma.
   */
  query(statement: Statement, returnsRows: boolean): Promise<Record<string, unknown>[]>;
  /** Runs newest first, as `RunQuery` filters them (the history list, `crmsync list`). */
  listRuns(query: RunQuery): Promise<SyncRun[]>;
  /** Every running run, newest first (the reaper looks for stale ones among them). */
  runningRuns(): Promise<SyncRun[]>;
  /** An entity's live (not soft-deleted) records. */
  countLive(crmSource: string, entity: string): Promise<number>;
  /** Finishes a running run; false when it is not running (or does not exist). */
  finishRun(runId: string, input: FinishRunInput): Promise<boolean>;
  getRun(runId: string): Promise<SyncRun | null>;
  /**
   * The newest run (by start time, then id) of a CRM's entity that was not a dry run; with
   * `succeeded`, only a `success` or `partial` one.
   */
  newestRun(crmSource: string, syncType: string, succeeded: boolean): Promise<SyncRun | null>;
  /**
   * Creates the expression indexes of the entity's `indexed` fields that are missing and drops
   * its indexes no longer declared (see recordIndexSpecs); idempotent.
   */
  ensureIndexes(
    crmSource: string,
    entity: string,
    fields: FieldSchema,
    primaryKey?: string,
  ): Promise<IndexChanges>;
  close(): Promise<void>;
}

/** The error for events logged against runs that do not exist (a foreign key refused them). */
export function unknownRunError(
  runIds: string[],
  existing: ReadonlySet<string>,
  cause: unknown,
): CrmsyncError {
  const missing = runIds.find((id) => !existing.has(id));
  return new CrmsyncError(
    'system',
    `cannot log an event for sync run ${missing ?? runIds.join(', ')}: no such run`,
    {},
    { cause },
  );
}

/**
 * The JSON path of a top-level data field, for the group queries. A field name with a quote or
 * a backslash has no plain path: refused rather than escaped.
 */
export function groupFieldPath(field: string): string {
  if (/["\\]/.test(field) || field === '')
    throw new CrmsyncError(
      'system',
      `a group field must be a plain field name (no quote or backslash), got ${JSON.stringify(field)}`,
    );
  return `$."${field}"`;
}

/** A text as an SQL string literal (both databases: quotes doubled); NUL refused. */
export function sqlLiteral(text: string): string {
  if (text.includes('\u0000'))
    throw new CrmsyncError('system', 'an SQL literal cannot hold a NUL character');
  return `'${text.replace(/'/g, "''")}'`;
}

const NUMERIC_TYPES: ReadonlySet<FieldType> = new Set(['integer', 'decimal']);

/** Whether a field of this type sorts and compares as a number (else as text). */
export function isNumericField(spec: FieldSpec): boolean {
  return NUMERIC_TYPES.has(spec.type);
}

/**
 * The SQL of a data field's value, with the field name as a literal rather than a parameter:
 * an expression index is matched against a query's expression as written, and a parameter
 * never matches. `text` is the value as text; `number` is a number, or NULL for anything else
 * (a lenient run keeps an invalid value as it came); `key` is the sort key, never NULL so that
 * row-value keyset comparisons hold, typed by the field's schema type.
 */
export function fieldExpressions(
  provider: 'sqlite' | 'postgresql',
  field: string,
  spec: FieldSpec,
): { text: string; number: string; key: string } {
  if (provider === 'postgresql') {
    const name = sqlLiteral(field);
    const text = `(data ->> ${name})`;
    const number = `(CASE WHEN ${text} ~ '^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$' THEN ${text}::float8 END)`;
    return { text, number, key: recordSortKey(spec, text, number) };
  }
  const path = sqlLiteral(`$."${field.replace(/"/g, '""')}"`);
  const text = `CAST(json_extract(data, ${path}) AS TEXT)`;
  const number = `(CASE WHEN json_type(data, ${path}) IN ('integer', 'real') THEN json_extract(data, ${path}) END)`;
  return { text, number, key: recordSortKey(spec, text, number) };
}

function recordSortKey(spec: FieldSpec, text: string, number: string): string {
  return isNumericField(spec) ? `COALESCE(${number}, -1e300)` : `COALESCE(${text}, '')`;
}

/** One expression index on an entity's records (see RecordIndexes in core). */
export interface RecordIndexSpec {
  name: string;
  field: string;
  sql: string;
}

/** The prefix of every index name of one entity's declared fields. */
export function recordIndexPrefix(crmSource: string, entity: string): string {
  return `crm_record_ix_${shortHash(`${crmSource}\u0000${entity}`)}_`;
}

/**
 * The indexes an entity's `indexed` fields want: each on the field's sort key then the
 * external id (what keyset paging orders by), partial to the entity's rows so that other
 * entities' writes never touch it. The name hashes the expression, so a changed field type
 * is a new index (and the old one is dropped as undeclared).
 */
export function recordIndexSpecs(
  provider: 'sqlite' | 'postgresql',
  crmSource: string,
  entity: string,
  fields: FieldSchema,
  primaryKey?: string,
): RecordIndexSpec[] {
  const scope = `crm_source = ${sqlLiteral(crmSource)} AND entity = ${sqlLiteral(entity)}`;
  const specs: RecordIndexSpec[] = [];
  // An integer id sorts as (length, text) (see the records query): the data browser's default
  // order, which no other index gives.
  if (primaryKey !== undefined && fields[primaryKey]?.type === 'integer') {
    const name = integerIdIndexName(crmSource, entity);
    specs.push({
      name,
      field: 'externalId',
      sql: `CREATE INDEX IF NOT EXISTS "${name}" ON crm_record ((length(external_id)), external_id) WHERE ${scope}`,
    });
  }
  for (const field of indexedFields(fields)) {
    const spec = fields[field] as FieldSpec;
    const { key } = fieldExpressions(provider, field, spec);
    const name = recordIndexName(provider, crmSource, entity, field, spec);
    const on = provider === 'postgresql' ? `(${key})` : key;
    specs.push({
      name,
      field,
      sql: `CREATE INDEX IF NOT EXISTS "${name}" ON crm_record (${on}, external_id) WHERE ${scope}`,
    });
  }
  return specs;
}

/** The index of an entity's integer ids in (length, text) order. */
export function integerIdIndexName(crmSource: string, entity: string): string {
  return `${recordIndexPrefix(crmSource, entity)}${shortHash('\u0000id\u0000length(external_id)')}`;
}

/** The name of the index on an entity's field (see recordIndexSpecs). */
export function recordIndexName(
  provider: 'sqlite' | 'postgresql',
  crmSource: string,
  entity: string,
  field: string,
  spec: FieldSpec,
): string {
  const { key } = fieldExpressions(provider, field, spec);
  return `${recordIndexPrefix(crmSource, entity)}${shortHash(`${field}\u0000${key}`)}`;
}

function shortHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 12);
}
