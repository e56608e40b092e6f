import {
  type Checkpoint,
  CrmsyncError,
  type ErrorKind,
  type FetchRequest,
  isAuthFailure,
  type Logger,
  type Page,
  type RequestMetrics,
} from '@crmsync/core';
import { createRequire } from 'node:module';
import type { FieldPacket, Pool, RowDataPacket } from 'mysql2/promise';
import { type RowStream, streamRows } from './row-stream.js';
import {
  SERVER_CLOCK_SQL,
  type ServerClock,
  serverTimeZone,
  zoneDisagreement,
} from './server-zone.js';
import { readTableSchema, type TableSchema } from './table-schema.js';
import { naiveLowerBound, naiveToIso, naiveUpperBound } from './timezone.js';

/** One Genius row as read: DATETIME columns already turned into ISO instants (UTC). */
export type GeniusRow = Record<string, unknown>;

/** Where an entity's rows live and how they are ordered. */
export interface GeniusTable {
  /** Table name as in the database (quoted with backticks in every statement: `lead` is reserved). */
  table: string;
  /** Primary-key column: the keyset tie-breaker and the record id. */
  key: string;
  /** Column moved on every update; absent for reference tables reloaded in full. */
  deltaColumn?: string;
  /** Used when `deltaColumn` is NULL (`lead.added_on`). */
  deltaFallback?: string;
  /** Columns the entity declares: each one the table lacks is named in one warning per read. */
  declared?: readonly string[];
}

/** Resume point of a read: the last key written, and for a (time, key) walk the last time. */
interface KeysetCheckpoint {
  order: 'key' | 'delta';
  lastKey: string | number;
  /** Naive database datetime of the last row, exactly as the database compares it. */
  lastTs?: string;
  since?: string;
}

const KEYSET_TS = '__crmsync_keyset_ts';
// mysql2 column type codes whose naive values are turned into instants.
const DATETIME_TYPES = new Set([7, 12, 17, 18]);
const TRANSIENT_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ER_CONNECTION_KILLED',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new CrmsyncError('config', `Genius: refusing identifier ${JSON.stringify(name)}`, {
      crm: 'genius',
    });
  }
  return `\`${name}\``;
}

export interface GeniusClientOptions {
  url: string;
  /** GENIUS_TIMEZONE; unset: the server's own zone (`@@time_zone`, `@@system_time_zone`). */
  timeZone?: string;
  poolSize?: number;
  logger: Logger;
  metrics: RequestMetrics;
  /** Attempts per read when the connection drops without progress (default 4). */
  attempts?: number;
}

/**
 * Reads Genius tables as streams: one parameterised `SELECT` per read whose rows arrive as
 * the consumer takes them (the connection is paused between pages), so a 6M-row table
 * streams with flat memory and MariaDB sends it at its own pace — never OFFSET, never a
 * query per page. A full read walks the primary key (always indexed); a delta walks
 * (delta column, key) when that column leads an index, else the primary key with the
 * delta filter — one pass over the table rather than a sort per page.
 *
 * @example
 * const client = GeniusClient.connect({ url: 'mysql://reader@db/genius', logger, metrics });
 * for await (const page of client.stream({ table: 'job', key: 'id', deltaColumn: 'updated_at' }, request)) …
 */
export class GeniusClient {
  private readonly pool: Pool;
  private readonly logger: Logger;
  private readonly metrics: RequestMetrics;
  private readonly attempts: number;
  private readonly configuredZone: string | undefined;
  private clock: Promise<{ zone: string; warning: string | null; why: string }> | undefined;
  private readonly schemas = new Map<string, Promise<TableSchema>>();
  private database: Promise<string> | undefined;
  /** The zone naive DATETIMEs are read in, once known (after the first query). */
  timeZone: string;

  private constructor(pool: Pool, options: GeniusClientOptions) {
    this.pool = pool;
    this.configuredZone = options.timeZone || undefined;
    this.timeZone = this.configuredZone ?? 'UTC';
    this.logger = options.logger;
    this.metrics = options.metrics;
    this.attempts = options.attempts ?? 4;
  }

  static connect(options: GeniusClientOptions): GeniusClient {
    if (!/^(mysql|mariadb):\/\//.test(options.url)) {
      throw new CrmsyncError('config', 'Genius: GENIUS_DATABASE_URL must be a mysql:// URL', {
        crm: 'genius',
        field: 'GENIUS_DATABASE_URL',
        expected: 'mysql://user:password@host:3306/database',
      });
    }
    // Required on connect, not on import: `crmsync list` and syncs of other CRMs load this
    // plugin without paying for the MySQL driver's modules.
    const mysql = createRequire(import.meta.url)(
      'mysql2/promise',
    ) as typeof import('mysql2/promise');
    const pool = mysql.createPool({
      uri: options.url.replace(/^mariadb:/, 'mysql:'),
      connectionLimit: options.poolSize ?? 4,
      // Naive DATETIMEs are converted with the database's zone, never the Node process's;
      // DATEs and TIMEs stay as written, DECIMALs as text (mysql2's default), no float rounding.
      dateStrings: true,
      supportBigNumbers: true,
      charset: 'utf8mb4',
    });
    return new GeniusClient(pool, options);
  }

  async ping(): Promise<void> {
    await this.run('SELECT 1', [], false);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Runs one parameterised statement, retrying a dropped connection; DATETIMEs come back as ISO. */
  async query(sql: string, params: unknown[]): Promise<GeniusRow[]> {
    await this.zone();
    return this.run(sql, params, true);
  }

  /**
   * The zone naive DATETIMEs are read in: GENIUS_TIMEZONE when set, else the server's. Asked
   * of the server once per client; a configured zone that disagrees with it is returned as a
   * warning, which every read logs (so every run says it).
   */
  zone(): Promise<{ zone: string; warning: string | null; why: string }> {
    this.clock ??= (async () => {
      const [row] = await this.run(SERVER_CLOCK_SQL, [], false);
      const clock: ServerClock = {
        sessionZone: String(row?.sessionZone ?? 'SYSTEM'),
        systemZone: String(row?.systemZone ?? ''),
        offsetSeconds: Number(row?.offsetSeconds ?? 0),
      };
      if (this.configuredZone) {
        return {
          zone: this.configuredZone,
          why: 'GENIUS_TIMEZONE',
          warning: zoneDisagreement(this.configuredZone, clock),
        };
      }
      const found = serverTimeZone(clock);
      this.timeZone = found.zone;
      return { zone: found.zone, why: found.why, warning: null };
    })();
    this.clock.catch(() => {
      this.clock = undefined;
    });
    return this.clock;
  }

  /** Columns and indexes of one table, read from information_schema once per client. */
  schema(table: string): Promise<TableSchema> {
    let schema = this.schemas.get(table);
    if (!schema) {
      this.database ??= this.run('SELECT DATABASE() AS db', [], false).then((r) =>
        String(r[0]?.db ?? ''),
      );
      schema = this.database.then((db) =>
        readTableSchema((sql, params) => this.run(sql, params, false), db, table),
      );
      schema.catch(() => this.schemas.delete(table));
      this.schemas.set(table, schema);
    }
    return schema;
  }

  /**
   * Streams a table page by page (`batchSize` rows a page). A full read (no `since`) walks
   * the primary key; a delta reads rows whose delta column is at or after `since` — compared
   * in the database's naive time, moved back across any DST fall-back in between — walking
   * (delta column, key) on an index, else the key. The checkpoint of each page resumes it.
   */
  async *stream(source: GeniusTable, request: FetchRequest): AsyncGenerator<Page<GeniusRow>> {
    const log = request.logger;
    const { zone, warning } = await this.zone();
    if (warning) log.warn(`Genius: ${warning}`);
    const schema = await this.schema(source.table);
    if (schema.columns.size === 0)
      throw new CrmsyncError(
        'config',
        `Genius database: table \`${source.table}\` does not exist (or the user of GENIUS_DATABASE_URL cannot see it)`,
        { crm: 'genius', code: 'ER_NO_SUCH_TABLE' },
      );
    const missing = (source.declared ?? []).filter((c) => !schema.columns.has(c));
    if (missing.length > 0)
      log.warn(
        `Genius ${source.table}: the entity declares ${missing.map((c) => `\`${c}\``).join(', ')} but the database's table has no such column — ${missing.length === 1 ? 'it is' : 'they are'} left out of the records (not stored as null); columns the table has: ${[...schema.columns.keys()].join(', ')}`,
      );

    const t = quoteIdent(source.table);
    const key = quoteIdent(source.key);
    const deltaExpr = source.deltaColumn
      ? source.deltaFallback
        ? `COALESCE(${quoteIdent(source.deltaColumn)}, ${quoteIdent(source.deltaFallback)})`
        : quoteIdent(source.deltaColumn)
      : undefined;
    // Walking (time, key) pays only when the time leads an index: otherwise every page (or
    // the one streamed query) would sort the table; the key walk filters in one pass.
    const indexed =
      !!source.deltaColumn &&
      !source.deltaFallback &&
      schema.leadingIndexed.has(source.deltaColumn);
    const order: KeysetCheckpoint['order'] =
      request.since && deltaExpr && indexed ? 'delta' : 'key';
    const now = new Date();
    const since =
      request.since && deltaExpr ? naiveLowerBound(request.since, zone, now) : undefined;
    const until =
      request.until && deltaExpr
        ? naiveUpperBound(request.until, zone, request.since ?? request.until)
        : undefined;
    const pageSize = Math.max(1, Math.floor(request.batchSize));
    // Columns named in sorted order: rows arrive with their keys sorted, the form the
    // record's content hash reads without a copy.
    const columns = [...schema.columns.keys()]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map(quoteIdent)
      .join(', ');

    let position = resumeFrom(request.checkpoint, order, since);
    let served = 0;
    let failures = 0;
    for (;;) {
      request.signal.throwIfAborted();
      const where: string[] = [];
      const params: unknown[] = [];
      if (since !== undefined) {
        where.push(`${deltaExpr} >= ?`);
        params.push(since);
      }
      if (until !== undefined) {
        where.push(`${deltaExpr} < ?`);
        params.push(until);
      }
      if (position) {
        if (order === 'delta') {
          where.push(`(${deltaExpr}, ${key}) > (?, ?)`);
          params.push(position.lastTs, position.lastKey);
        } else {
          where.push(`${key} > ?`);
          params.push(position.lastKey);
        }
      }
      const select =
        order === 'delta'
          ? `SELECT ${columns}, DATE_FORMAT(${deltaExpr}, '%Y-%m-%d %H:%i:%s.%f') AS ${KEYSET_TS}`
          : `SELECT ${columns}`;
      const orderBy = order === 'delta' ? `${deltaExpr}, ${key}` : key;
      const left = request.maxRecords !== undefined ? request.maxRecords - served : undefined;
      let sql = `${select} FROM ${t}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${orderBy}`;
      if (left !== undefined) {
        if (left <= 0) return;
        sql += ' LIMIT ?';
        params.push(left);
      }

      let rows: RowStream | undefined;
      try {
        this.metrics.apiCalls++;
        rows = await streamRows(this.pool, sql, params, pageSize, request.signal);
        for (;;) {
          const page = await rows.next();
          if (!page) return;
          failures = 0;
          const records = this.convert(page.rows, page.fields);
          const last = records[records.length - 1] as GeniusRow;
          const lastKey = last[source.key] as string | number;
          const lastTs = order === 'delta' ? String(last[KEYSET_TS]) : undefined;
          if (order === 'delta') for (const row of records) delete row[KEYSET_TS];
          position = { order, lastKey, ...(lastTs ? { lastTs } : {}), ...(since ? { since } : {}) };
          served += records.length;
          yield { records, checkpoint: { ...position } as Checkpoint };
        }
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        if (TRANSIENT_CODES.has(code) && ++failures < this.attempts) {
          this.metrics.retries++;
          const waitMs = 100 * 2 ** (failures - 1);
          this.logger.warn(
            `Genius: ${code} while reading ${source.table}, resuming in ${waitMs} ms`,
            {
              attempt: failures,
            },
          );
          await new Promise((r) => setTimeout(r, waitMs));
          continue;
        }
        throw error instanceof CrmsyncError ? error : classify(error, code);
      } finally {
        rows?.close();
      }
    }
  }

  private async run(sql: string, params: unknown[], convert: boolean): Promise<GeniusRow[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.metrics.apiCalls++;
        // Text protocol with `?` placeholders: mysql2 escapes every value (numbers, strings,
        // dates) — no value is ever concatenated — and decodes rows faster than its binary
        // (prepared-statement) protocol on wide tables with DATETIMEs and DECIMALs.
        const [rows, fields] = await this.pool.query<RowDataPacket[]>(sql, params);
        return convert ? this.convert(rows, fields) : (rows as GeniusRow[]);
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        if (TRANSIENT_CODES.has(code) && attempt < this.attempts) {
          this.metrics.retries++;
          const waitMs = 100 * 2 ** (attempt - 1);
          this.logger.warn(`Genius: ${code}, retrying in ${waitMs} ms`, { attempt });
          await new Promise((r) => setTimeout(r, waitMs));
          continue;
        }
        throw classify(error, code);
      }
    }
  }

  private convert(rows: RowDataPacket[] | GeniusRow[], fields: FieldPacket[]): GeniusRow[] {
    const datetimes = fields
      .filter((f) => f.name !== KEYSET_TS && DATETIME_TYPES.has(f.columnType ?? f.type ?? -1))
      .map((f) => f.name);
    // Rows are fresh objects from the driver: converted in place, no copy per row.
    const out = rows as GeniusRow[];
    if (datetimes.length === 0) return out;
    const zone = this.timeZone;
    for (const record of out) {
      for (const name of datetimes) {
        const value = record[name];
        if (typeof value === 'string') record[name] = naiveToIso(value, zone);
      }
    }
    return out;
  }
}

function resumeFrom(
  checkpoint: Checkpoint | undefined,
  order: KeysetCheckpoint['order'],
  since: string | undefined,
): KeysetCheckpoint | undefined {
  if (!checkpoint || checkpoint.order !== order || checkpoint.since !== since) return undefined;
  const lastKey = checkpoint.lastKey;
  if (typeof lastKey !== 'string' && typeof lastKey !== 'number') return undefined;
  if (order === 'delta' && typeof checkpoint.lastTs !== 'string') return undefined;
  return {
    order,
    lastKey,
    ...(typeof checkpoint.lastTs === 'string' ? { lastTs: checkpoint.lastTs } : {}),
    ...(since ? { since } : {}),
  };
}

export function classify(error: unknown, code: string): CrmsyncError {
  const message = error instanceof Error ? error.message : String(error);
  let kind: ErrorKind = 'system';
  // "Access denied" (1045, 1698…): the schedule pauses until someone fixes the URL.
  if (isAuthFailure(error))
    return new CrmsyncError(
      'auth',
      `Genius database refused the credentials of GENIUS_DATABASE_URL: ${message}`,
      { crm: 'genius', code },
      { cause: error },
    );
  if (TRANSIENT_CODES.has(code)) kind = 'transient';
  else if (
    code === 'ER_BAD_DB_ERROR' ||
    code === 'ER_NO_SUCH_TABLE' ||
    code === 'ER_BAD_FIELD_ERROR'
  )
    kind = 'config';
  return new CrmsyncError(
    kind,
    `Genius database: ${message}`,
    { crm: 'genius', code },
    { cause: error },
  );
}
