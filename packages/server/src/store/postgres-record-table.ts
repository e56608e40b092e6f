import pg from 'pg';
import {
  groupFieldPath,
  type RecordTable,
  recordIndexPrefix,
  recordIndexSpecs,
  type SqlDialect,
  unknownRunError,
} from './record-table.js';
import type { ColumnCodec } from './run-row.js';
import { runStatements, type Statement } from './run-statements.js';
import {
  assertWritable,
  type FieldSchema,
  type FinishRunInput,
  type IndexChanges,
  planUpsert,
  recordJson,
  type RecordGroups,
  type RecordWrite,
  type RunProgressUpdate,
  type RunQuery,
  type StoredRecordState,
  type SyncEventInput,
  type SyncRun,
  type UpsertOptions,
  type UpsertResult,
} from '@crmsync/core';

/**
 * Rows per statement. Columns travel as one array parameter each (`unnest`), so the 65,535
 * parameter limit never applies; the chunk only bounds one statement's size.
 */
const ROWS_PER_STATEMENT = 5_000;

// Timestamps travel as ISO strings: `timestamp(3)` (what Prisma creates) ignores the `Z`,
// so the stored wall time is UTC whatever the server's or this process's time zone.
const UPSERT = `INSERT INTO crm_record (crm_source, entity, external_id, data, content_hash, remote_updated_at,
    remote_created_at, first_synced_at, last_synced_at, deleted_at, last_run_id)
  SELECT $1, $2, t.external_id, t.data, t.content_hash, t.remote_updated_at, t.remote_created_at,
    $3::timestamp(3), $3::timestamp(3), NULL, $4
  FROM unnest($5::text[], $6::jsonb[], $7::text[], $8::timestamp(3)[], $9::timestamp(3)[])
    AS t(external_id, data, content_hash, remote_updated_at, remote_created_at)
  ON CONFLICT (crm_source, entity, external_id) DO UPDATE SET
    data = excluded.data,
    content_hash = excluded.content_hash,
    remote_updated_at = excluded.remote_updated_at,
    remote_created_at = COALESCE(excluded.remote_created_at, crm_record.remote_created_at),
    last_synced_at = excluded.last_synced_at,
    deleted_at = NULL,
    last_run_id = excluded.last_run_id`;

const SELECT_EXISTING = `SELECT external_id, content_hash,
    (extract(epoch FROM remote_updated_at) * 1000)::float8, deleted_at IS NOT NULL
  FROM crm_record
  WHERE crm_source = $1 AND entity = $2 AND external_id = ANY($3::text[])`;

// Times travel as ISO strings and an untyped parameter takes its column's type (timestamp(3),
// jsonb); read back, a timestamp(3) holds UTC wall time (what Prisma writes), so it is parsed
// as UTC rather than in this process's time zone, as pg would by default.
const TIMESTAMP_OID = 1114;
const UTC_TIMESTAMPS = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP_OID && format !== 'binary')
      return (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

const POSTGRES_COLUMNS: ColumnCodec = {
  time: (date) => date.toISOString(),
  readTime: (value) => value as Date,
  json: (value) => JSON.stringify(value),
  readJson: (value) => value,
  bool: (value) => value,
  readBool: (value) => value === true,
};
const POSTGRES_DIALECT: SqlDialect = { codec: POSTGRES_COLUMNS, param: (n) => `$${n}` };
const RUNS = runStatements(POSTGRES_DIALECT.codec, POSTGRES_DIALECT.param);

/**
 * `crm_record` through the same `pg.Pool` the Prisma adapter uses; each batch runs on one
 * pooled connection inside BEGIN … COMMIT.
 *
 * @example
 * const table = new PostgresRecordTable(pool);
 * await table.upsert('hubspot', 'contacts', records, { runId, policy: 'keep-newer' });
 */
export class PostgresRecordTable implements RecordTable {
  /** Rows the planner's statistics know of, and rows this store has created since. */
  #analyzedRows: number | undefined;
  #createdSinceAnalyze = 0;

  constructor(private readonly pool: pg.Pool) {}

  async upsert(
    crmSource: string,
    entity: string,
    records: RecordWrite[],
    options: UpsertOptions,
  ): Promise<UpsertResult> {
    assertWritable(crmSource, entity, records);
    const now = (options.now ?? new Date()).toISOString();
    return this.#transaction(async (client) => {
      const existing = await client.query<[string, string, number | null, boolean]>({
        text: SELECT_EXISTING,
        values: [crmSource, entity, records.map((record) => record.externalId)],
        rowMode: 'array',
      });
      const stored = new Map<string, StoredRecordState>();
      for (const [externalId, hash, remoteUpdatedAt, deleted] of existing.rows) {
        stored.set(externalId, {
          hash,
          remoteUpdatedAt: remoteUpdatedAt === null ? null : Math.round(remoteUpdatedAt),
          deleted,
        });
      }
      const plan = planUpsert(stored, records, options.policy);
      for (let start = 0; start < plan.writes.length; start += ROWS_PER_STATEMENT) {
        const chunk = plan.writes.slice(start, start + ROWS_PER_STATEMENT);
        await client.query(UPSERT, [
          crmSource,
          entity,
          now,
          options.runId,
          chunk.map((record) => record.externalId),
          chunk.map(recordJson),
          chunk.map((record) => record.hash),
          chunk.map((record) => record.remoteUpdatedAt?.toISOString() ?? null),
          chunk.map((record) => record.remoteCreatedAt?.toISOString() ?? null),
        ]);
      }
      return plan.result;
    }).then(async (result) => {
      await this.#analyzeWhenGrown(result.created);
      return result;
    });
  }

  async updateRunProgress(runId: string, update: RunProgressUpdate): Promise<boolean> {
    return this.#run(RUNS.progress(runId, update));
  }

  async insertRun(run: SyncRun): Promise<boolean> {
    try {
      await this.#run(RUNS.insert(run));
      return true;
    } catch (error) {
      if (
        (error as { code?: unknown; constraint?: unknown }).code === '23505' &&
        (error as { constraint?: unknown }).constraint === 'sync_history_running_idx'
      )
        return false;
      throw error;
    }
  }

  async runningRun(crmSource: string, syncType: string): Promise<SyncRun | null> {
    return this.#oneRun(RUNS.running(crmSource, syncType));
  }

  async finishRun(runId: string, input: FinishRunInput): Promise<boolean> {
    return this.#run(RUNS.finish(runId, input));
  }

  async getRun(runId: string): Promise<SyncRun | null> {
    return this.#oneRun(RUNS.byId(runId));
  }

  async newestRun(
    crmSource: string,
    syncType: string,
    succeeded: boolean,
  ): Promise<SyncRun | null> {
    return this.#oneRun(RUNS.newest(crmSource, syncType, succeeded));
  }

  /** Runs a bookkeeping statement; whether it changed a row. */
  async #run({ sql, values }: Statement): Promise<boolean> {
    const result = await this.pool.query(sql, values);
    return (result.rowCount ?? 0) > 0;
  }

  readonly dialect = POSTGRES_DIALECT;

  async query(
    { sql, values }: Statement,
    _returnsRows: boolean,
  ): Promise<Record<string, unknown>[]> {
    const { rows } = await this.pool.query<Record<string, unknown>>({
      text: sql,
      values,
      types: UTC_TIMESTAMPS,
    });
    return rows;
  }

  async listRuns(query: RunQuery): Promise<SyncRun[]> {
    return this.#runs(RUNS.list(query));
  }

  async runningRuns(): Promise<SyncRun[]> {
    return this.#runs(RUNS.allRunning());
  }

  async countLive(crmSource: string, entity: string): Promise<number> {
    const { sql, values } = RUNS.countLive(crmSource, entity);
    const { rows } = await this.pool.query<{ n: string | number }>(sql, values);
    return Number(rows[0]?.n ?? 0);
  }

  async #runs({ sql, values }: Statement): Promise<SyncRun[]> {
    const { rows } = await this.pool.query<Record<string, unknown>>({
      text: sql,
      values,
      types: UTC_TIMESTAMPS,
    });
    return rows.map((row) => RUNS.read(row));
  }

  async #oneRun({ sql, values }: Statement): Promise<SyncRun | null> {
    const { rows } = await this.pool.query<Record<string, unknown>>({
      text: sql,
      values,
      types: UTC_TIMESTAMPS,
    });
    return rows[0] ? RUNS.read(rows[0]) : null;
  }

  async appendEvents(events: SyncEventInput[], keepPerRun: number): Promise<void> {
    if (events.length === 0) return;
    const runIds = [...new Set(events.map((event) => event.runId))];
    const now = new Date();
    // Each column as one array: the rows transposed.
    const rows = events.map((event) => RUNS.eventValues(event, now));
    const columns = [0, 1, 2, 3, 4, 5].map((i) => rows.map((row) => row[i]));
    try {
      await this.#transaction(async (client) => {
        await client.query(
          `INSERT INTO sync_event (run_id, at, level, message, record_id, details)
           SELECT * FROM unnest($1::text[], $2::timestamp(3)[], $3::text[], $4::text[], $5::text[], $6::jsonb[])`,
          columns,
        );
        for (const runId of runIds) {
          const cap = RUNS.capEvents(runId, keepPerRun);
          await client.query(cap.sql, cap.values);
        }
      });
    } catch (error) {
      if ((error as { code?: unknown }).code !== '23503') throw error;
      const { rows } = await this.pool.query<{ id: string }>(
        'SELECT id FROM sync_history WHERE id = ANY($1::text[])',
        [runIds],
      );
      throw unknownRunError(runIds, new Set(rows.map((row) => row.id)), error);
    }
  }

  async softDelete(
    crmSource: string,
    entity: string,
    externalIds: string[],
    runId: string,
    now: Date,
  ): Promise<number> {
    if (externalIds.length === 0) return 0;
    const result = await this.pool.query(
      `UPDATE crm_record SET deleted_at = $1::timestamp(3), last_run_id = $2
       WHERE crm_source = $3 AND entity = $4 AND deleted_at IS NULL AND external_id = ANY($5::text[])`,
      [now.toISOString(), runId, crmSource, entity, externalIds],
    );
    return result.rowCount ?? 0;
  }

  async softDeleteMissing(
    crmSource: string,
    entity: string,
    keep: ReadonlySet<string>,
    runId: string,
    now: Date,
  ): Promise<number> {
    // An anti-join against the unnested ids: a hash join, not a scan of the array per row.
    const result = await this.pool.query(
      `UPDATE crm_record r SET deleted_at = $1::timestamp(3), last_run_id = $2
       WHERE r.crm_source = $3 AND r.entity = $4 AND r.deleted_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM unnest($5::text[]) AS k(id) WHERE k.id = r.external_id)`,
      [now.toISOString(), runId, crmSource, entity, [...keep]],
    );
    return result.rowCount ?? 0;
  }

  async softDeleteMissingInGroups(
    crmSource: string,
    entity: string,
    scope: RecordGroups,
    keep: ReadonlySet<string>,
    runId: string,
    now: Date,
  ): Promise<number> {
    if (scope.groups.length === 0 || scope.fields.length === 0) return 0;
    const { fields } = scope;
    for (const field of fields) groupFieldPath(field); // the field names SQLite accepts
    const base = 6;
    // A field's value as text, as groupOf (core) reads it: a string as it is, anything else
    // as its JSON, nothing for null or a missing field.
    const values = fields.map(
      (_, i) => `CASE jsonb_typeof(r.data -> $${base + i}::text) WHEN 'string'
         THEN r.data ->> $${base + i}::text WHEN 'null' THEN NULL
         ELSE (r.data -> $${base + i}::text)::text END`,
    );
    const columns = fields.map((_, i) => `$${base + fields.length + i}::text[]`);
    const result = await this.pool.query(
      `UPDATE crm_record r SET deleted_at = $1::timestamp(3), last_run_id = $2
       WHERE r.crm_source = $3 AND r.entity = $4 AND r.deleted_at IS NULL
         AND (${values.join(', ')}) IN (SELECT * FROM unnest(${columns.join(', ')}))
         AND NOT EXISTS (SELECT 1 FROM unnest($5::text[]) AS k(id) WHERE k.id = r.external_id)`,
      [
        now.toISOString(),
        runId,
        crmSource,
        entity,
        [...keep],
        ...fields,
        ...fields.map((_, i) => scope.groups.map((group) => group[i] ?? null)),
      ],
    );
    return result.rowCount ?? 0;
  }

  async ensureIndexes(
    crmSource: string,
    entity: string,
    fields: FieldSchema,
    primaryKey?: string,
  ): Promise<IndexChanges> {
    const wanted = recordIndexSpecs('postgresql', crmSource, entity, fields, primaryKey);
    const prefix = recordIndexPrefix(crmSource, entity);
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT indexname AS name FROM pg_indexes
       WHERE schemaname = current_schema() AND tablename = 'crm_record' AND left(indexname, $1) = $2`,
      [prefix.length, prefix],
    );
    const have = new Set(rows.map((row) => row.name));
    const keep = new Set(wanted.map((index) => index.name));
    const created = wanted.filter((index) => !have.has(index.name));
    const dropped = [...have].filter((name) => !keep.has(name));
    if (created.length === 0 && dropped.length === 0) return { created: [], dropped: [] };
    await this.#transaction(async (client) => {
      // Two processes preparing the same entity at once: the second waits for the first.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [prefix]);
      for (const name of dropped) await client.query(`DROP INDEX IF EXISTS "${name}"`);
      for (const index of created) await client.query(index.sql);
    });
    // An expression index has its own statistics, which only ANALYZE gathers: without them
    // the planner guesses a filter's selectivity.
    if (created.length > 0) await this.pool.query('ANALYZE crm_record');
    return { created: created.map((index) => index.field), dropped };
  }

  async close(): Promise<void> {}

  /**
   * An initial sync fills `crm_record` far faster than autovacuum re-analyzes it, and with
   * statistics of a near-empty table the planner scans every row of the entity for each
   * batch's SELECT instead of probing the primary key (measured: 40 ms instead of 4 ms per
   * 1,000 ids at 200,000 rows, growing with the table). So the store analyzes the table
   * itself each time it has doubled since the planner last looked.
   */
  async #analyzeWhenGrown(created: number): Promise<void> {
    if (created === 0) return;
    if (this.#analyzedRows === undefined) {
      const { rows } = await this.pool.query<{ reltuples: number }>(
        `SELECT reltuples::float8 AS reltuples FROM pg_class WHERE oid = 'crm_record'::regclass`,
      );
      this.#analyzedRows = Math.max(0, rows[0]?.reltuples ?? 0);
    }
    this.#createdSinceAnalyze += created;
    if (this.#createdSinceAnalyze < Math.max(1_000, this.#analyzedRows)) return;
    await this.pool.query('ANALYZE crm_record');
    this.#analyzedRows += this.#createdSinceAnalyze;
    this.#createdSinceAnalyze = 0;
  }

  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A backend terminated (pg_terminate_backend, a restart) while this client is checked out
    // is also reported as an 'error' event: unheard, it would crash the process. The failed
    // query rejects as well; the client is discarded rather than returned to the pool.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is discarded rather than returned to the pool.
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}
