import type { RequestBudgets, SourceMarks } from '@crmsync/core';
import type { RecordTable } from './record-table.js';

/** Windows older than this many window lengths are deleted as a key opens a new one. */
const KEPT_WINDOWS = 4;

/**
 * RequestBudgets in the crmsync database (`request_budget`), shared by every process on it:
 * one atomic upsert per request, granted while the window's count is under the limit — the
 * same statement on SQLite and PostgreSQL (both take `ON CONFLICT … DO UPDATE … WHERE` with
 * `RETURNING`). Through the store's driver connection, so a sync never loads Prisma for it.
 */
export class DatabaseRequestBudgets implements RequestBudgets {
  readonly #db: Pick<RecordTable, 'dialect' | 'query'>;

  constructor(db: Pick<RecordTable, 'dialect' | 'query'>) {
    this.#db = db;
  }

  async take(key: string, limit: number, windowMs: number, now = new Date()): Promise<number> {
    const p = this.#db.dialect.param;
    const start = Math.floor(now.getTime() / windowMs) * windowMs;
    const rows = await this.#db.query(
      {
        sql: `INSERT INTO request_budget ("key", window_start, used)
          VALUES (${p(1)}, ${p(2)}, 1)
          ON CONFLICT ("key", window_start)
          DO UPDATE SET used = request_budget.used + 1 WHERE request_budget.used < ${p(3)}
          RETURNING used`,
        values: [key, start, limit],
      },
      true,
    );
    const used = rows[0] === undefined ? undefined : Number(rows[0].used);
    if (used === undefined || used > limit) return start + windowMs - now.getTime();
    if (used === 1) {
      await this.#db.query(
        {
          sql: `DELETE FROM request_budget WHERE "key" = ${p(1)} AND window_start < ${p(2)}`,
          values: [key, start - KEPT_WINDOWS * windowMs],
        },
        false,
      );
    }
    return 0;
  }
}

/** SourceMarks in the crmsync database (`source_mark`), through the store's driver connection. */
export class DatabaseSourceMarks implements SourceMarks {
  readonly #db: Pick<RecordTable, 'dialect' | 'query'>;

  constructor(db: Pick<RecordTable, 'dialect' | 'query'>) {
    this.#db = db;
  }

  async get(crmSource: string, entity: string): Promise<Record<string, string>> {
    const p = this.#db.dialect.param;
    const rows = await this.#db.query(
      {
        sql: `SELECT name, value FROM source_mark WHERE crm_source = ${p(1)} AND entity = ${p(2)}`,
        values: [crmSource, entity],
      },
      true,
    );
    return Object.fromEntries(rows.map((r) => [String(r.name), String(r.value)]));
  }

  /** All of `marks` in one statement, so they are written together or not at all. */
  async set(crmSource: string, entity: string, marks: Record<string, string>): Promise<void> {
    const entries = Object.entries(marks);
    if (entries.length === 0) return;
    const { codec, param } = this.#db.dialect;
    const updatedAt = codec.time(new Date());
    const values: unknown[] = [];
    const rows = entries.map(([name, value]) => {
      values.push(crmSource, entity, name, value, updatedAt);
      const n = values.length;
      return `(${param(n - 4)}, ${param(n - 3)}, ${param(n - 2)}, ${param(n - 1)}, ${param(n)})`;
    });
    await this.#db.query(
      {
        sql: `INSERT INTO source_mark (crm_source, entity, name, value, updated_at)
          VALUES ${rows.join(', ')}
          ON CONFLICT (crm_source, entity, name)
          DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
        values,
      },
      false,
    );
  }
}
