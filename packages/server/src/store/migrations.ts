import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { DatabaseProvider } from './database-url.js';

/**
 * Applies the SQL migrations that ship in the package (`prisma/migrations/<provider>/`,
 * written by `pnpm --filter @crmsync/server prisma:migration <name>`), in name order, each
 * once. Applied migrations are recorded in `_crmsync_migrations`; a recorded migration whose
 * file has changed since is refused, because the database no longer matches the schema.
 */
export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

const MIGRATIONS_TABLE = '_crmsync_migrations';
/** pg_advisory_lock key: two servers starting at once migrate one after the other. */
const POSTGRES_LOCK_KEY = 7_362_001;

export function migrationsFolder(provider: DatabaseProvider): string {
  // src/store/ and dist/store/ both sit two levels under the package root.
  return fileURLToPath(new URL(`../../prisma/migrations/${provider}/`, import.meta.url));
}

export function loadMigrations(
  provider: DatabaseProvider,
  folder = migrationsFolder(provider),
): Migration[] {
  if (!existsSync(folder)) {
    throw new Error(
      `crmsync migrations for ${provider} not found at ${folder}: the package is incomplete`,
    );
  }
  return readdirSync(folder, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(path.join(folder, entry.name, 'migration.sql')),
    )
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(folder, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

interface AppliedMigration {
  name: string;
  checksum: string;
}

function pending(all: Migration[], applied: AppliedMigration[]): Migration[] {
  const byName = new Map(applied.map((row) => [row.name, row.checksum]));
  for (const migration of all) {
    const checksum = byName.get(migration.name);
    if (checksum !== undefined && checksum !== migration.checksum) {
      throw new Error(
        `migration ${migration.name} was changed after it was applied to this database; add a new migration instead of editing an applied one`,
      );
    }
  }
  return all.filter((migration) => !byName.has(migration.name));
}

/** Returns the names of the migrations it applied (none when the database is up to date). */
export function migrateSqlite(db: Database.Database, migrations: Migration[]): string[] {
  db.exec(
    `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  );
  const run = db.transaction(() => {
    const applied = db
      .prepare(`SELECT name, checksum FROM "${MIGRATIONS_TABLE}"`)
      .all() as AppliedMigration[];
    const todo = pending(migrations, applied);
    const record = db.prepare(
      `INSERT INTO "${MIGRATIONS_TABLE}" (name, checksum, applied_at) VALUES (?, ?, ?)`,
    );
    for (const migration of todo) {
      db.exec(migration.sql);
      record.run(migration.name, migration.checksum, new Date().toISOString());
    }
    return todo.map((migration) => migration.name);
  });
  // IMMEDIATE takes the write lock first, so two processes never apply the same migration.
  return run.immediate();
}

export async function migratePostgres(
  pool: pg.Pool,
  migrations: Migration[],
  schema?: string,
): Promise<string[]> {
  const client = await pool.connect();
  // A dropped connection is also an 'error' event on a checked-out client: heard here (the
  // query fails too), and the client discarded, rather than a crashed process.
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [POSTGRES_LOCK_KEY]);
    try {
      // The schema is a checked identifier (parseDatabaseUrl); the pool's search_path names it.
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<AppliedMigration>(
        `SELECT name, checksum FROM "${MIGRATIONS_TABLE}"`,
      );
      const todo = pending(migrations, rows);
      for (const migration of todo) {
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(`INSERT INTO "${MIGRATIONS_TABLE}" (name, checksum) VALUES ($1, $2)`, [
            migration.name,
            migration.checksum,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
      }
      return todo.map((migration) => migration.name);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [POSTGRES_LOCK_KEY]);
    }
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
