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
import { naiveToIso, toNaive } from './timezone.js';

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
}

/** Resume point of a keyset stream: the last (timestamp, key) or key written. */
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
  timeZone: string;
  poolSize?: number;
  logger: Logger;
  metrics: RequestMetrics;
  /** Attempts per page when the connection drops (default 4). */
  attempts?: number;
}

/**
 * Reads Genius tables with keyset pagination: each page is one bounded, parameterised
 * `SELECT … WHERE (ts, key) > (?, ?) ORDER BY ts, key LIMIT ?`, so a 6M-row table streams
 * with flat memory and never pays for OFFSET.
 *
 * @example
 * const client = GeniusClient.connect({ url: 'mysql://reader@db/genius', timeZone: 'America/New_York', logger, metrics });
 * for await (const page of client.stream({ table: 'job', key: 'id', deltaColumn: 'updated_at' }, request)) …
 */
export class GeniusClient {
  readonly timeZone: string;
  private readonly pool: Pool;
  private readonly logger: Logger;
  private readonly metrics: RequestMetrics;
  private readonly attempts: number;

  private constructor(pool: Pool, options: GeniusClientOptions) {
    this.pool = pool;
    this.timeZone = options.timeZone;
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
      // Naive DATETIMEs are converted with GENIUS_TIMEZONE, never with the Node process's zone.
      dateStrings: true,
      supportBigNumbers: true,
      charset: 'utf8mb4',
    });
    return new GeniusClient(pool, options);
  }

  async ping(): Promise<void> {
    await this.run('SELECT 1', []);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Runs one parameterised statement, retrying a dropped connection; DATETIMEs come back as ISO. */
  async query(sql: string, params: unknown[]): Promise<GeniusRow[]> {
    return this.run(sql, params);
  }

  /**
   * Streams a table page by page. A full read (no `since`) walks the primary key; a delta
   * walks (delta column, key) from `since`. The checkpoint of each page resumes the stream.
   */
  async *stream(source: GeniusTable, request: FetchRequest): AsyncGenerator<Page<GeniusRow>> {
    const t = quoteIdent(source.table);
    const key = quoteIdent(source.key);
    const deltaExpr = source.deltaColumn
      ? source.deltaFallback
        ? `COALESCE(${quoteIdent(source.deltaColumn)}, ${quoteIdent(source.deltaFallback)})`
        : quoteIdent(source.deltaColumn)
      : undefined;
    const order: KeysetCheckpoint['order'] = request.since && deltaExpr ? 'delta' : 'key';
    const since = request.since && deltaExpr ? toNaive(request.since, this.timeZone) : undefined;
    const until = request.until && deltaExpr ? toNaive(request.until, this.timeZone) : undefined;
    const limit = Math.max(1, Math.floor(request.batchSize));

    let position = resumeFrom(request.checkpoint, order, since);
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
          ? `SELECT ${t}.*, DATE_FORMAT(${deltaExpr}, '%Y-%m-%d %H:%i:%s.%f') AS ${KEYSET_TS}`
          : `SELECT ${t}.*`;
      const orderBy = order === 'delta' ? `${deltaExpr}, ${key}` : key;
      const sql = `${select} FROM ${t}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${orderBy} LIMIT ?`;
      params.push(limit);
      const rows = await this.run(sql, params);
      if (rows.length === 0) return;
      const last = rows[rows.length - 1] as GeniusRow;
      const lastKey = last[source.key] as string | number;
      const lastTs = order === 'delta' ? String(last[KEYSET_TS]) : undefined;
      if (order === 'delta') for (const row of rows) delete row[KEYSET_TS];
      position = { order, lastKey, ...(lastTs ? { lastTs } : {}), ...(since ? { since } : {}) };
      yield { records: rows, checkpoint: { ...position } as Checkpoint };
      if (rows.length < limit) return;
    }
  }

  private async run(sql: string, params: unknown[]): Promise<GeniusRow[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.metrics.apiCalls++;
        // Text protocol with `?` placeholders: mysql2 escapes every value (numbers, strings,
        // dates) — no value is ever concatenated — and decodes rows ~1.6x faster than its
        // binary (prepared-statement) protocol on wide tables with DATETIMEs and DECIMALs.
        const [rows, fields] = await this.pool.query<RowDataPacket[]>(sql, params);
        return this.convert(rows, fields);
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

  private convert(rows: RowDataPacket[], fields: FieldPacket[]): GeniusRow[] {
    const datetimes = fields
      .filter((f) => f.name !== KEYSET_TS && DATETIME_TYPES.has(f.columnType ?? f.type ?? -1))
      .map((f) => f.name);
    // Rows are fresh objects from the driver: converted in place, no copy per row.
    const out = rows as GeniusRow[];
    if (datetimes.length === 0) return out;
    for (const record of out) {
      for (const name of datetimes) {
        const value = record[name];
        if (typeof value === 'string') {
          record[name] = naiveToIso(value, this.timeZone);
        }
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

function classify(error: unknown, code: string): CrmsyncError {
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
