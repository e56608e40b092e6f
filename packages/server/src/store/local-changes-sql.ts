import type { ChangeQuery, ChangeState, ChangeUpdate, LocalChange } from '@crmsync/core';
import type { PrismaClient } from './prisma-client.js';

/**
 * The bulk SQL of `local_change` (PrismaLocalChanges): multi-row `INSERT … ON CONFLICT (id) DO
 * UPDATE`, `UPDATE … WHERE id IN (…)` and `SELECT`s read as raw rows, in chunks, through the
 * Prisma client's raw queries. Prisma's model calls cost milliseconds of CPU per call and per
 * row (a 50,000-record mass update spent most of its time there); these statements cost the
 * database's time. The same statements on SQLite and PostgreSQL, with each one's encoding of
 * the columns: SQLite keeps DateTime as integer milliseconds (`unixepoch-ms`) and JSON as text;
 * PostgreSQL takes `TIMESTAMP(3)` (UTC, no zone) and `JSONB`.
 */

export type Dialect = 'sqlite' | 'postgresql';

/** Rows per INSERT: 13 columns each, well under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
export const INSERT_ROWS = 500;
/** Ids per `IN (…)`. */
export const IN_IDS = 500;

const COLUMNS = [
  'id',
  'crm_source',
  'entity',
  'external_id',
  'fields',
  'base',
  'base_remote_updated_at',
  'author',
  'state',
  'reason',
  'created_at',
  'updated_at',
  'run_id',
] as const;

/** What runs raw SQL: the client or an interactive transaction's client. */
export type RawRunner = Pick<PrismaClient, '$queryRawUnsafe' | '$executeRawUnsafe'>;

/**
 * The client's database: the generated client names its provider; a client that does not
 * (a wrapper) is asked (`sqlite_version()` answers on SQLite only). Called on first use, so a
 * store that loads Prisma lazily is not made to load it early.
 */
export async function dialectOf(prisma: PrismaClient): Promise<Dialect> {
  const provider = (prisma as unknown as { _activeProvider?: string })._activeProvider;
  if (provider === 'postgresql' || provider === 'sqlite') return provider;
  try {
    await prisma.$queryRawUnsafe('SELECT sqlite_version()');
    return 'sqlite';
  } catch (error) {
    // PostgreSQL: "function sqlite_version() does not exist". Anything else (no connection)
    // says nothing about the database: the caller asks again next time.
    if (/sqlite_version/i.test(error instanceof Error ? error.message : String(error)))
      return 'postgresql';
    throw error;
  }
}

type Row = Record<string, unknown>;

export class LocalChangeSql {
  readonly dialect: Dialect;

  constructor(dialect: Dialect) {
    this.dialect = dialect;
  }

  /** The n-th (1-based) placeholder, cast on PostgreSQL where the column wants a type. */
  #p(n: number, cast?: 'jsonb' | 'timestamp'): string {
    if (this.dialect === 'sqlite') return '?';
    return cast === 'jsonb'
      ? `$${n}::jsonb`
      : cast === 'timestamp'
        ? `$${n}::timestamp(3)`
        : `$${n}`;
  }

  date(d: Date | null): unknown {
    if (d === null) return null;
    // PostgreSQL's TIMESTAMP(3) holds UTC without a zone, as Prisma writes it.
    return this.dialect === 'sqlite' ? d.getTime() : d.toISOString().slice(0, 23);
  }

  json(v: unknown): string {
    return JSON.stringify(v);
  }

  /** Inserts the changes, or replaces the stored ones with the same id (a merged edit). */
  async upsert(db: RawRunner, changes: readonly LocalChange[]): Promise<void> {
    for (let i = 0; i < changes.length; i += INSERT_ROWS) {
      const chunk = changes.slice(i, i + INSERT_ROWS);
      const params: unknown[] = [];
      const rows = chunk.map((c) => {
        const values = [
          c.id,
          c.crmSource,
          c.entity,
          c.recordId,
          this.json(c.fields),
          this.json(c.base),
          this.date(c.baseRemoteModifiedAt),
          c.author,
          c.state,
          c.reason,
          this.date(c.createdAt),
          this.date(c.updatedAt),
          c.runId,
        ];
        const casts: Array<'jsonb' | 'timestamp' | undefined> = [
          undefined,
          undefined,
          undefined,
          undefined,
          'jsonb',
          'jsonb',
          'timestamp',
          undefined,
          undefined,
          undefined,
          'timestamp',
          'timestamp',
          undefined,
        ];
        const marks = values.map((v, k) => {
          params.push(v);
          return this.#p(params.length, casts[k]);
        });
        return `(${marks.join(', ')})`;
      });
      await db.$executeRawUnsafe(
        `INSERT INTO "local_change" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES ${rows.join(', ')}
         ON CONFLICT ("id") DO UPDATE SET "fields" = excluded."fields", "base" = excluded."base",
           "author" = excluded."author", "state" = excluded."state", "reason" = excluded."reason",
           "updated_at" = excluded."updated_at"`,
        ...params,
      );
    }
  }

  /** Moves the changes to a state in `UPDATE … WHERE id IN (…)` chunks; returns the rows moved. */
  async update(db: RawRunner, ids: readonly string[], update: ChangeUpdate): Promise<number> {
    let moved = 0;
    const now = new Date();
    for (let i = 0; i < ids.length; i += IN_IDS) {
      const chunk = ids.slice(i, i + IN_IDS);
      const params: unknown[] = [];
      const sets: string[] = [];
      const set = (column: string, value: unknown, cast?: 'jsonb' | 'timestamp') => {
        params.push(value);
        sets.push(`"${column}" = ${this.#p(params.length, cast)}`);
      };
      set('state', update.state);
      set('updated_at', this.date(now), 'timestamp');
      if (update.reason !== undefined) set('reason', update.reason);
      if (update.runId !== undefined) set('run_id', update.runId);
      if (update.fields) set('fields', this.json(update.fields), 'jsonb');
      if (update.base) set('base', this.json(update.base), 'jsonb');
      const marks = chunk.map((id) => {
        params.push(id);
        return this.#p(params.length);
      });
      moved += await db.$executeRawUnsafe(
        `UPDATE "local_change" SET ${sets.join(', ')} WHERE "id" IN (${marks.join(', ')})`,
        ...params,
      );
    }
    return moved;
  }

  /**
   * The changes a query selects, oldest first (`ids` or `recordIds` in chunks of `IN_IDS`).
   */
  async select(db: RawRunner, q: ChangeQuery): Promise<LocalChange[]> {
    const lists: Array<{ column: string; values: readonly string[] }> = [];
    if (q.ids) lists.push({ column: 'id', values: q.ids });
    if (q.recordIds) lists.push({ column: 'external_id', values: q.recordIds });
    // One list is chunked; a second (rare: both given) is applied in memory.
    const [chunked, other] = lists;
    if (chunked && chunked.values.length === 0) return [];
    const otherSet = other ? new Set(other.values) : undefined;
    const chunks: Array<readonly string[] | undefined> = [];
    if (chunked)
      for (let i = 0; i < chunked.values.length; i += IN_IDS)
        chunks.push(chunked.values.slice(i, i + IN_IDS));
    else chunks.push(undefined);
    const out: LocalChange[] = [];
    for (const chunk of chunks) {
      const params: unknown[] = [];
      const where: string[] = [];
      const eq = (column: string, value: unknown) => {
        params.push(value);
        where.push(`"${column}" = ${this.#p(params.length)}`);
      };
      const isIn = (column: string, values: readonly unknown[]) => {
        const marks = values.map((v) => {
          params.push(v);
          return this.#p(params.length);
        });
        where.push(marks.length ? `"${column}" IN (${marks.join(', ')})` : '1 = 0');
      };
      if (q.crmSource !== undefined) eq('crm_source', q.crmSource);
      if (q.entity !== undefined) eq('entity', q.entity);
      if (q.states) isIn('state', q.states);
      if (chunk && chunked) isIn(chunked.column, chunk);
      if (q.after !== undefined) {
        params.push(q.after);
        where.push(`"id" > ${this.#p(params.length)}`);
      }
      const limit =
        q.limit !== undefined && !chunked ? ` LIMIT ${Math.max(0, Math.floor(q.limit))}` : '';
      const rows = await db.$queryRawUnsafe<Row[]>(
        `SELECT ${COLUMNS.map((c) => `"${c}"`).join(', ')} FROM "local_change"
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY "id"${limit}`,
        ...params,
      );
      for (const row of rows) {
        const change = this.toChange(row);
        if (otherSet && !otherSet.has(other?.column === 'id' ? change.id : change.recordId))
          continue;
        out.push(change);
      }
    }
    if (chunks.length > 1) out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (chunked && q.limit !== undefined) return out.slice(0, q.limit);
    return out;
  }

  toChange(row: Row): LocalChange {
    return {
      id: String(row.id),
      crmSource: String(row.crm_source),
      entity: String(row.entity),
      recordId: String(row.external_id),
      fields: readJson(row.fields) as Record<string, unknown>,
      base: readJson(row.base) as Record<string, unknown>,
      baseRemoteModifiedAt: readDate(row.base_remote_updated_at),
      author: String(row.author),
      state: String(row.state) as ChangeState,
      reason: row.reason === null || row.reason === undefined ? null : String(row.reason),
      createdAt: readDate(row.created_at) ?? new Date(0),
      updatedAt: readDate(row.updated_at) ?? new Date(0),
      runId: row.run_id === null || row.run_id === undefined ? null : String(row.run_id),
    };
  }
}

/** A JSON column as a raw query returns it: text on SQLite, parsed (or text) on PostgreSQL. */
function readJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

/** A DateTime column as a raw query returns it: integer ms (SQLite), a Date or ISO text. */
function readDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
  const text = String(value);
  if (/^\d+$/.test(text)) return new Date(Number(text));
  // A zoneless timestamp is UTC (Prisma writes UTC).
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}
