import { randomBytes } from 'node:crypto';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { quoteIdent } from '../client.js';
import { toNaive } from '../timezone.js';
import { GENIUS_DDL } from './schema.js';

/** Server the tests create their databases on; `GENIUS_TEST_ADMIN_URL` overrides it. */
export const DEFAULT_ADMIN_URL = process.env.GENIUS_TEST_ADMIN_URL || 'mysql://root@127.0.0.1:3306';
const DAY = 86_400_000;
const STATES = ['NY', 'NJ', 'PA', 'MD', 'VA', 'NC', 'OH', 'MA', 'CT', 'DE'];

interface Column {
  name: string;
  dataType: string;
  columnType: string;
}

/** Deterministic PRNG so a seeded database is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Says why MariaDB cannot be used, or null when it answers. */
export async function mariadbUnreachable(adminUrl = DEFAULT_ADMIN_URL): Promise<string | null> {
  try {
    const c = await mysql.createConnection({ uri: adminUrl, connectTimeout: 2000 });
    await c.end();
    return null;
  } catch (error) {
    return `MariaDB at ${adminUrl.replace(/\/\/[^@]*@/, '//')} is unreachable: ${(error as Error).message}`;
  }
}

export interface GeniusTestDatabaseOptions {
  /** Server to create the database on; default root@127.0.0.1:3306. */
  adminUrl?: string;
  /** Zone the naive DATETIMEs are written in (what GENIUS_TIMEZONE must say). */
  timeZone: string;
  /** Rows per table; reference tables get at most 25. */
  size: number;
  /** Rows of these tables (default: `size`). */
  sizes?: Record<string, number>;
  seed?: number;
}

/**
 * A throw-away Genius database (`crmsync_genius_<random>`) on a real MariaDB, seeded with
 * generated rows whose dates spread over the past 90 days. `drop()` removes it.
 */
export class GeniusTestDatabase {
  readonly name: string;
  readonly url: string;
  readonly timeZone: string;
  private readonly conn: Connection;
  private readonly random: () => number;

  private constructor(conn: Connection, name: string, url: string, timeZone: string, seed: number) {
    this.conn = conn;
    this.name = name;
    this.url = url;
    this.timeZone = timeZone;
    this.random = prng(seed);
  }

  static async create(options: GeniusTestDatabaseOptions): Promise<GeniusTestDatabase> {
    const adminUrl = options.adminUrl ?? DEFAULT_ADMIN_URL;
    const name = `crmsync_genius_${randomBytes(5).toString('hex')}`;
    const admin = await mysql.createConnection({ uri: adminUrl, multipleStatements: false });
    await admin.query(`CREATE DATABASE ${quoteIdent(name)} CHARACTER SET utf8mb4`);
    await admin.query(`USE ${quoteIdent(name)}`);
    const parsed = new URL(adminUrl);
    parsed.pathname = `/${name}`;
    const url = parsed.toString();
    const db = new GeniusTestDatabase(admin, name, url, options.timeZone, options.seed ?? 42);
    try {
      for (const ddl of GENIUS_DDL) await admin.query(ddl);
      for (const table of await db.tables()) {
        const small =
          !/^(appointment|prospect|lead|quote|job|job_change_order|user_data|prospect_source|job_change_order_item)$/.test(
            table,
          );
        const count = options.sizes?.[table] ?? (small ? Math.min(25, options.size) : options.size);
        await db.insertGenerated(table, 1, count);
      }
    } catch (error) {
      await db.drop();
      throw error;
    }
    return db;
  }

  async tables(): Promise<string[]> {
    const [rows] = await this.conn.query<RowDataPacket[]>(
      'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name',
      [this.name],
    );
    return rows.map((r) => String(r.t));
  }

  async execute(sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
    const [rows] = await this.conn.query<RowDataPacket[]>(sql, params);
    return rows;
  }

  /** Moves `updated_at` of the `count` lowest-keyed rows to now; returns their keys. */
  async touch(table: string, key: string, count: number, at = new Date()): Promise<string[]> {
    const rows = await this.execute(
      `SELECT ${quoteIdent(key)} AS k FROM ${quoteIdent(table)} ORDER BY ${quoteIdent(key)} LIMIT ?`,
      [count],
    );
    const ids = rows.map((r) => String(r.k));
    if (ids.length > 0) {
      await this.execute(
        `UPDATE ${quoteIdent(table)} SET updated_at = ? WHERE ${quoteIdent(key)} IN (?)`,
        [toNaive(at, this.timeZone), ids],
      );
    }
    return ids;
  }

  /** Appends `count` rows dated `at` (every DATETIME column); returns their keys. */
  async append(table: string, key: string, count: number, at: Date): Promise<string[]> {
    const [row] = await this.execute(
      `SELECT COALESCE(MAX(${quoteIdent(key)}), 0) AS m FROM ${quoteIdent(table)}`,
    );
    const first = Number(row?.m ?? 0) + 1;
    await this.insertGenerated(table, first, count, at);
    return Array.from({ length: count }, (_, i) => String(first + i));
  }

  /**
   * Replaces `job_change_order` with `count` generated rows in one server-side statement
   * (MariaDB's SEQUENCE engine), for benchmarks: a million rows in seconds.
   */
  async fillChangeOrders(count: number): Promise<void> {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError('count must be a positive integer');
    await this.execute('TRUNCATE TABLE job_change_order');
    await this.execute(
      `INSERT INTO job_change_order (id, job_id, number, status_id, type_id, reason_id, amount, add_user_id,
         add_date, sold_date, cancel_date, updated_at)
       SELECT seq, 1 + seq % 50000, CONCAT('CO-', seq), 1 + seq % 5, 1 + seq % 4, 1 + seq % 8,
         (seq % 100000) / 100, 1 + seq % 300, NOW() - INTERVAL (seq % 7776000) SECOND,
         CURDATE() - INTERVAL (seq % 90) DAY, NULL, NOW() - INTERVAL (seq % 7776000) SECOND
       FROM ${quoteIdent(`seq_1_to_${count}`)}`,
    );
  }

  async drop(): Promise<void> {
    try {
      await this.conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(this.name)}`);
    } finally {
      await this.conn.end();
    }
  }

  /** Inserts generated rows with keys first…first+count-1, in parameterised batches. */
  async insertGenerated(table: string, first: number, count: number, at?: Date): Promise<void> {
    const columns = await this.columns(table);
    const names = columns.map((c) => quoteIdent(c.name)).join(', ');
    const chunk = 500;
    for (let start = 0; start < count; start += chunk) {
      const rows: unknown[][] = [];
      for (let i = start; i < Math.min(count, start + chunk); i++) {
        rows.push(columns.map((c, idx) => this.value(table, c, first + i, idx === 0, at)));
      }
      await this.conn.query(`INSERT INTO ${quoteIdent(table)} (${names}) VALUES ?`, [rows]);
    }
  }

  private async columns(table: string): Promise<Column[]> {
    const rows = await this.execute(
      `SELECT column_name AS name, data_type AS dataType, column_type AS columnType
         FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`,
      [this.name, table],
    );
    return rows.map((r) => ({
      name: String(r.name),
      dataType: String(r.dataType),
      columnType: String(r.columnType),
    }));
  }

  private value(table: string, column: Column, n: number, isKey: boolean, at?: Date): unknown {
    const r = this.random;
    const name = column.name;
    if (isKey) return n;
    const when = at ?? new Date(Date.now() - Math.floor(r() * 90 * DAY));
    switch (column.dataType) {
      case 'datetime':
        // Leads never updated keep a NULL updated_at: the delta falls back to added_on.
        if (table === 'lead' && name === 'updated_at' && !at && n % 3 === 0) return null;
        return toNaive(when, this.timeZone).slice(0, 19);
      case 'date':
        return toNaive(when, this.timeZone).slice(0, 10);
      case 'time':
        return `${String(8 + Math.floor(r() * 10)).padStart(2, '0')}:${r() < 0.5 ? '00' : '30'}:00`;
      case 'tinyint':
        return r() < 0.5 ? 1 : 0;
      case 'int':
        return 1 + Math.floor(r() * 25);
      case 'decimal':
        return (Math.floor(r() * 5_000_000) / 100).toFixed(2);
      default:
        if (name.includes('email')) return `${table}.${n}@example.com`;
        if (name.startsWith('phone')) return `555-${String(1000 + (n % 9000)).padStart(4, '0')}`;
        if (name === 'state') return STATES[n % STATES.length];
        if (name === 'zip') return String(10000 + ((n * 7919) % 89999));
        return `${name.replace(/_/g, ' ')} ${n}`;
    }
  }
}
