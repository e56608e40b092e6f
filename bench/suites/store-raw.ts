import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type pgTypes from 'pg';
import type { RecordWrite } from '../../packages/core/src/index.js';

// Helpers of store.bench.ts: each database's raw insert rate (the limit a store write is
// measured against) and reading back what a sync wrote. The drivers are the server package's
// dependencies, not the workspace root's.
const serverRequire = createRequire(new URL('../../packages/server/package.json', import.meta.url));
const Database = serverRequire('better-sqlite3') as typeof BetterSqlite3;
const pg = serverRequire('pg') as typeof pgTypes;

const RAW_ROWS_PER_STATEMENT = 1_000;

/** A prepared single-row INSERT in one transaction: SQLite's insert limit for these rows. */
export function sqliteRawInsert(filename: string, records: RecordWrite[], source = 'raw'): void {
  const db = new Database(filename);
  const insert = db.prepare(
    `INSERT INTO crm_record (crm_source, entity, external_id, data, content_hash, remote_updated_at,
       remote_created_at, first_synced_at, last_synced_at, deleted_at, last_run_id)
     VALUES (?, 'contacts', ?, ?, ?, ?, ?, ?, ?, NULL, 'raw')`,
  );
  const now = Date.now();
  db.transaction(() => {
    for (const r of records) {
      insert.run(
        source,
        r.externalId,
        JSON.stringify(r.data),
        r.hash,
        r.remoteUpdatedAt?.getTime() ?? null,
        r.remoteCreatedAt?.getTime() ?? null,
        now,
        now,
      );
    }
  })();
  db.close();
}

/** Multi-row INSERTs through pg in one transaction (no COPY): PostgreSQL's insert limit. */
export async function postgresRawInsert(
  url: string,
  records: RecordWrite[],
  source = 'raw',
): Promise<void> {
  const client = await connect(url);
  const now = new Date().toISOString();
  try {
    await client.query('BEGIN');
    for (let start = 0; start < records.length; start += RAW_ROWS_PER_STATEMENT) {
      const chunk = records.slice(start, start + RAW_ROWS_PER_STATEMENT);
      const values: string[] = [];
      const params: unknown[] = [source, now];
      for (const r of chunk) {
        const p = params.length;
        values.push(
          `($1, 'contacts', $${p + 1}, $${p + 2}::jsonb, $${p + 3}, $${p + 4}::timestamp(3), $${p + 5}::timestamp(3), $2::timestamp(3), $2::timestamp(3), NULL, 'raw')`,
        );
        params.push(
          r.externalId,
          JSON.stringify(r.data),
          r.hash,
          r.remoteUpdatedAt?.toISOString() ?? null,
          r.remoteCreatedAt?.toISOString() ?? null,
        );
      }
      await client.query(
        `INSERT INTO crm_record (crm_source, entity, external_id, data, content_hash, remote_updated_at,
           remote_created_at, first_synced_at, last_synced_at, deleted_at, last_run_id) VALUES ${values.join(',')}`,
        params,
      );
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

/** The rows a sync wrote for (crmSource, contacts), as record writes, to raw-insert them again. */
export async function readSynced(url: string, crmSource: string): Promise<RecordWrite[]> {
  const sql = `SELECT external_id, data, content_hash FROM crm_record WHERE crm_source = '${crmSource}' AND entity = 'contacts'`;
  const toWrite = (id: string, data: string | object, hash: string): RecordWrite => ({
    externalId: id,
    data: (typeof data === 'string' ? JSON.parse(data) : data) as Record<string, unknown>,
    hash,
    remoteUpdatedAt: new Date(),
    remoteCreatedAt: new Date(),
  });
  if (url.startsWith('file:')) {
    const db = new Database(url.slice('file:'.length), { readonly: true });
    const rows = db.prepare(sql).raw().all() as Array<[string, string, string]>;
    db.close();
    return rows.map(([id, data, hash]) => toWrite(id, data, hash));
  }
  const client = await connect(url);
  try {
    const { rows } = await client.query<[string, object, string]>({ text: sql, rowMode: 'array' });
    return rows.map(([id, data, hash]) => toWrite(id, data, hash));
  } finally {
    await client.end();
  }
}

/** A pg client honouring a `?schema=` in the URL (as the store does). */
async function connect(url: string): Promise<pgTypes.Client> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  const client = new pg.Client({
    connectionString: parsed.toString(),
    ...(schema && { options: `-c search_path="${schema}"` }),
  });
  await client.connect();
  return client;
}

/** One connection to a bench database for plain SQL, whichever the database. */
export interface SqlConnection {
  /** The first column of the first row. */
  scalar(sql: string): Promise<number>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export async function sqlConnection(url: string): Promise<SqlConnection> {
  if (url.startsWith('file:')) {
    const db = new Database(url.slice('file:'.length));
    return {
      scalar: async (sql) => Number(db.prepare(sql).pluck().get()),
      exec: async (sql) => {
        db.exec(sql);
      },
      close: async () => {
        db.close();
      },
    };
  }
  const client = await connect(url);
  return {
    scalar: async (sql) => {
      const { rows } = await client.query<[unknown]>({ text: sql, rowMode: 'array' });
      return Number(rows[0]?.[0]);
    },
    exec: async (sql) => {
      await client.query(sql);
    },
    close: () => client.end(),
  };
}
