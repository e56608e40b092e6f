import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';
import {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  postgresSkipReason,
} from '../../test/store/test-databases.js';

// The tables as a database sees them after the shipped migrations, on both databases: the
// source documents' SyncHistory columns by their exact names, and the three history indexes
// ARCHITECTURE.md lists, in their column order and sort direction. A renamed column or a
// dropped index in the Prisma schema (and the migration generated from it) fails here.

/** The source documents' SyncHistory, field for field. */
const SEED_HISTORY_COLUMNS = [
  'crm_source',
  'sync_type',
  'endpoint',
  'start_time',
  'end_time',
  'status',
  'records_processed',
  'records_created',
  'records_updated',
  'records_failed',
  'error_message',
  'configuration',
  'performance_metrics',
];

/** What a live system adds (ARCHITECTURE.md "Data model"). */
const LIVE_HISTORY_COLUMNS = [
  'records_unchanged',
  'records_deleted',
  'trigger',
  'worker_id',
  'heartbeat_at',
  'high_water_mark',
  'checkpoint',
];

/** Each index as its columns, a descending one marked so. */
const HISTORY_INDEXES = [
  ['crm_source', 'sync_type', 'start_time desc'],
  ['status', 'start_time desc'],
  // The seed's end_time index, widened to cover the dashboard's window figures (issue 21).
  ['end_time desc', 'status', 'error_kind', 'crm_source', 'start_time', 'records_processed'],
  // Partial and unique: one running, non-dry run per (crm, entity).
  ['crm_source', 'sync_type'],
];

const RECORD_COLUMNS = [
  'crm_source',
  'entity',
  'external_id',
  'data',
  'remote_updated_at',
  'remote_created_at',
  'first_synced_at',
  'last_synced_at',
  'deleted_at',
  'content_hash',
  'last_run_id',
];

const sorted = (lists: string[][]) => lists.map((l) => l.join(', ')).sort();

describe('the migrated SQLite database', () => {
  it('has the seed columns, the three history indexes and the one-running-run index', async () => {
    const database = createSqliteTestDatabase();
    try {
      const store = await openStore({ databaseUrl: database.url });
      await store.close();
      const db = new Database(database.url.slice('file:'.length), { readonly: true });
      try {
        const columns = (table: string) =>
          (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
        expect(columns('sync_history')).toEqual(
          expect.arrayContaining([...SEED_HISTORY_COLUMNS, ...LIVE_HISTORY_COLUMNS]),
        );
        expect(columns('crm_record')).toEqual(expect.arrayContaining(RECORD_COLUMNS));
        const indexes = (
          db.pragma('index_list(sync_history)') as Array<{ name: string; origin: string }>
        )
          .filter((i) => i.origin === 'c')
          .map((i) =>
            (
              db.pragma(`index_xinfo("${i.name}")`) as Array<{
                name: string | null;
                desc: number;
                key: number;
              }>
            )
              .filter((c) => c.key === 1)
              .map((c) => `${c.name}${c.desc ? ' desc' : ''}`),
          );
        expect(sorted(indexes)).toEqual(sorted(HISTORY_INDEXES));
        const unique = (
          db.pragma('index_list(crm_record)') as Array<{ name: string; unique: number }>
        )
          .filter((i) => i.unique === 1)
          .map((i) =>
            (db.pragma(`index_info("${i.name}")`) as Array<{ name: string }>).map((c) => c.name),
          );
        expect(unique).toContainEqual(['crm_source', 'entity', 'external_id']);
      } finally {
        db.close();
      }
    } finally {
      await database.drop();
    }
  });
});

const pgProblem = await postgresSkipReason('the PostgreSQL schema test');

describe.skipIf(pgProblem !== null)('the migrated PostgreSQL database', () => {
  it('has the seed columns, the three history indexes and the one-running-run index', async () => {
    const database = await createPostgresTestDatabase();
    try {
      const store = await openStore({ databaseUrl: database.url });
      await store.close();
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const columns = async (table: string) =>
          (
            await client.query<{ column_name: string }>(
              `SELECT column_name FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name = $1`,
              [table],
            )
          ).rows.map((r) => r.column_name);
        expect(await columns('sync_history')).toEqual(
          expect.arrayContaining([...SEED_HISTORY_COLUMNS, ...LIVE_HISTORY_COLUMNS]),
        );
        expect(await columns('crm_record')).toEqual(expect.arrayContaining(RECORD_COLUMNS));
        // Each index's key columns in order, with DESC where the index sorts that way.
        const { rows } = await client.query<{ columns: string[]; primary: boolean }>(
          `SELECT array_agg(a.attname || CASE WHEN (i.indoption[k.n - 1] & 1) = 1 THEN ' desc' ELSE '' END
                            ORDER BY k.n) AS columns,
                  bool_or(i.indisprimary) AS primary
             FROM pg_index i
             JOIN pg_class t ON t.oid = i.indrelid
             JOIN pg_namespace s ON s.oid = t.relnamespace
             CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
            WHERE s.nspname = 'public' AND t.relname = 'sync_history'
            GROUP BY i.indexrelid`,
        );
        expect(sorted(rows.filter((r) => !r.primary).map((r) => r.columns))).toEqual(
          sorted(HISTORY_INDEXES),
        );
      } finally {
        await client.end();
      }
    } finally {
      await database.drop();
    }
  });
});
