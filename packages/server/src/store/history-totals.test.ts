import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresTestDatabase, postgresSkipReason } from '../../test/store/test-databases.js';
import { loadMigrations, migratePostgres, migrateSqlite } from './migrations.js';

// `sync_history_totals` is kept by triggers (migration `sync_history_totals`): after any mix of
// inserts, updates and deletes of runs it must equal the same totals aggregated from
// sync_history itself; and the migration fills it from the runs stored before it.

const TOTALS_MIGRATION = /_sync_history_totals$/;

/** What the totals must be: sync_history aggregated, as `SELECT … GROUP BY`. */
const AGGREGATED = `
  SELECT crm_source, sync_type, status, COALESCE(error_kind, '') AS error_kind,
    count(*) AS runs, sum(records_processed) AS processed, sum(records_created) AS created,
    sum(records_updated) AS updated, sum(records_failed) AS failed
  FROM sync_history GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`;
const KEPT = `
  SELECT crm_source, sync_type, status, error_kind, runs, records_processed AS processed,
    records_created AS created, records_updated AS updated, records_failed AS failed
  FROM sync_history_totals WHERE runs <> 0 ORDER BY 1, 2, 3, 4`;

/** One statement per step a run's row goes through, in the store's own column names. */
interface Sql {
  run(sql: string, params?: unknown[]): Promise<void>;
  rows(sql: string): Promise<Array<Record<string, unknown>>>;
}

const normalize = (rows: Array<Record<string, unknown>>) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])));

function insertRun(id: string, crm: string, entity: string, status: string, time: number) {
  return {
    sql: `INSERT INTO sync_history (id, crm_source, sync_type, status, mode, "trigger", start_time,
            records_processed, records_created, configuration, lease_ms)
          VALUES ($1, $2, $3, $4, 'delta', 'cli', $5, 0, 0, '{}', 60000)`,
    params: [id, crm, entity, status, time],
  };
}

async function exercise(db: Sql, time: (ms: number) => unknown) {
  const expectEqual = async (step: string) => {
    const kept = normalize(await db.rows(KEPT));
    expect(kept, step).toEqual(normalize(await db.rows(AGGREGATED)));
    return kept;
  };
  // Runs begin (insert), report progress (counted columns), heartbeat (no counted column),
  // finish in each status, with and without an error kind; one is reaped, one deleted.
  const begin = async (id: string, crm: string, entity: string, at: number) => {
    const run = insertRun(id, crm, entity, 'running', at);
    await db.run(run.sql, [...run.params.slice(0, 4), time(at)]);
  };
  await begin('r0', 'zoho', 'deals', 0);
  await begin('r2', 'zoho', 'leads', 1_000);
  await begin('r3', 'hubspot', 'contacts', 2_000);
  expect(await expectEqual('after three runs began')).toHaveLength(3);
  await db.run(
    'UPDATE sync_history SET records_processed = 40, records_created = 10 WHERE id = $1',
    ['r0'],
  );
  await db.run('UPDATE sync_history SET heartbeat_at = $1 WHERE id = $2', [time(5_000), 'r0']);
  await expectEqual('after progress and a heartbeat');
  await db.run(
    `UPDATE sync_history SET status = 'success', records_processed = 50, records_updated = 7,
       end_time = $1 WHERE id = $2`,
    [time(9_000), 'r0'],
  );
  // The entity's next run (one running run per entity at a time).
  await begin('r1', 'zoho', 'deals', 10_000);
  await expectEqual('after a second run of an entity began');
  await db.run(
    `UPDATE sync_history SET status = 'failed', error_kind = 'auth', records_failed = 3,
       error_message = 'refused' WHERE id = $1`,
    ['r1'],
  );
  await db.run(
    `UPDATE sync_history SET status = 'failed', error_kind = 'cancelled' WHERE id = $1`,
    ['r2'],
  );
  // A reaper finishing every running run at once: one statement, many rows.
  await db.run(
    `UPDATE sync_history SET status = 'partial', records_processed = records_processed + 5
     WHERE status = 'running'`,
  );
  const finished = await expectEqual('after the runs finished');
  expect(finished.map((r) => `${r.crm_source}/${r.sync_type}/${r.status}/${r.error_kind}`)).toEqual(
    [
      'hubspot/contacts/partial/',
      'zoho/deals/failed/auth',
      'zoho/deals/success/',
      'zoho/leads/failed/cancelled',
    ],
  );
  expect(finished.find((r) => r.status === 'success')).toMatchObject({
    runs: '1',
    processed: '50',
    created: '10',
    updated: '7',
  });
  await db.run('DELETE FROM sync_history WHERE id = $1', ['r1']);
  expect(await expectEqual('after a delete')).toHaveLength(3);
}

describe('sync_history_totals on SQLite', () => {
  it('equals the aggregate of sync_history through inserts, updates and deletes', async () => {
    const db = new Database(':memory:');
    migrateSqlite(db, loadMigrations('sqlite'));
    await exercise(
      {
        run: async (sql, params = []) => {
          db.prepare(sql.replace(/\$\d+/g, '?')).run(...(params as unknown[]));
        },
        rows: async (sql) => db.prepare(sql).all() as Array<Record<string, unknown>>,
      },
      (ms) => ms,
    );
    db.close();
  });

  it('is filled by its migration from the runs stored before it', () => {
    const db = new Database(':memory:');
    const all = loadMigrations('sqlite');
    const at = all.findIndex((m) => TOTALS_MIGRATION.test(m.name));
    expect(at).toBeGreaterThan(0);
    migrateSqlite(db, all.slice(0, at));
    for (const [i, status] of ['success', 'success', 'failed', 'running'].entries()) {
      const run = insertRun(`old${i}`, 'genius', 'jobs', status, i);
      db.prepare(run.sql.replace(/\$\d+/g, '?')).run(...run.params);
    }
    db.prepare(`UPDATE sync_history SET records_processed = 12 WHERE id = 'old1'`).run();
    migrateSqlite(db, all);
    expect(normalize(db.prepare(KEPT).all() as Array<Record<string, unknown>>)).toEqual(
      normalize(db.prepare(AGGREGATED).all() as Array<Record<string, unknown>>),
    );
    expect(
      db.prepare(`SELECT runs FROM sync_history_totals WHERE status = 'success'`).get(),
    ).toEqual({ runs: 2 });
    db.close();
  });
});

const pgProblem = await postgresSkipReason('the PostgreSQL sync_history_totals test');

describe.skipIf(pgProblem !== null)('sync_history_totals on PostgreSQL', () => {
  it('equals the aggregate through inserts, updates and deletes, and is filled by its migration', async () => {
    const database = await createPostgresTestDatabase();
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      const all = loadMigrations('postgresql');
      const at = all.findIndex((m) => TOTALS_MIGRATION.test(m.name));
      await migratePostgres(pool, all.slice(0, at));
      const before = insertRun('old', 'genius', 'jobs', 'success', 0);
      await pool.query(before.sql, [...before.params.slice(0, 4), new Date(0)]);
      await migratePostgres(pool, all);
      expect((await pool.query('SELECT runs FROM sync_history_totals')).rows).toEqual([
        { runs: '1' },
      ]);
      await pool.query('DELETE FROM sync_history');
      await exercise(
        {
          run: async (sql, params) => {
            await pool.query(sql, params);
          },
          rows: async (sql) => (await pool.query(sql)).rows,
        },
        (ms) => new Date(ms),
      );
    } finally {
      await pool.end();
      await database.drop();
    }
  });
});
