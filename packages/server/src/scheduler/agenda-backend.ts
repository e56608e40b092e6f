import { MongoBackend } from '@agendajs/mongo-backend';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type { AgendaBackend } from 'agenda';
import pg from 'pg';
import { type DatabaseTarget, parseDatabaseUrl, redact } from '../store/index.js';
import { SqliteBackend } from './sqlite-backend.js';

/** Where Agenda keeps its jobs, parsed once from a URL. */
export type AgendaTarget =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgresql'; connectionString: string }
  | { kind: 'mongodb'; address: string };

/**
 * The Agenda URL: `CRMSYNC_AGENDA_URL` when set, otherwise the store's own database — the
 * SQLite file (our backend, tables `agenda_jobs`) or the PostgreSQL database (and schema).
 */
export function resolveAgendaUrl(
  store: DatabaseTarget,
  env: Record<string, string | undefined> = process.env,
): string {
  const configured = env.CRMSYNC_AGENDA_URL?.trim();
  if (configured) return configured;
  if (store.provider === 'sqlite') return `file:${store.filename}`;
  if (!store.schema) return store.url;
  const url = new URL(store.url);
  url.searchParams.set('schema', store.schema);
  return url.toString();
}

export function parseAgendaUrl(url: string, cwd: string = process.cwd()): AgendaTarget {
  if (/^mongodb(\+srv)?:\/\//i.test(url)) return { kind: 'mongodb', address: url };
  if (/^postgres(ql)?:\/\//i.test(url) || url.startsWith('file:')) {
    const target = parseDatabaseUrl(url, cwd);
    if (target.provider === 'sqlite') return { kind: 'sqlite', path: target.filename as string };
    if (!target.schema) return { kind: 'postgresql', connectionString: target.url };
    // node-postgres takes the schema as the search_path, like the store does.
    const pgUrl = new URL(target.url);
    pgUrl.searchParams.set('options', `-c search_path=${target.schema}`);
    return { kind: 'postgresql', connectionString: pgUrl.toString() };
  }
  throw new Error(
    `CRMSYNC_AGENDA_URL must start with file: (SQLite), postgres:// / postgresql:// or mongodb:// ; got ${redact(url)}`,
  );
}

/**
 * An Agenda 6 backend for a target: ours on SQLite, `@agendajs/postgres-backend` (with
 * LISTEN/NOTIFY, so new jobs start at once on every worker) or `@agendajs/mongo-backend`.
 */
export function createAgendaBackend(target: AgendaTarget): AgendaBackend {
  switch (target.kind) {
    case 'sqlite':
      return new SqliteBackend({ path: target.path });
    case 'postgresql':
      return new SerializedPostgresBackend(target.connectionString);
    case 'mongodb':
      return new MongoBackend({ address: target.address });
  }
}

/**
 * `@agendajs/postgres-backend` runs its schema statements (`CREATE TABLE IF NOT EXISTS`,
 * `CREATE OR REPLACE FUNCTION`, `DROP`/`CREATE TRIGGER`) on every connect. Two workers that
 * start together race on the catalog and PostgreSQL rejects one ("tuple concurrently updated",
 * or a duplicate `pg_type` key on an empty database), so the worker dies on start. Each connect
 * here holds a session advisory lock on its own connection while the backend's runs; the lock
 * goes with that connection if the process dies.
 */
class SerializedPostgresBackend extends PostgresBackend {
  readonly #connectionString: string;

  constructor(connectionString: string) {
    super({ connectionString });
    this.#connectionString = connectionString;
  }

  override async connect(): Promise<void> {
    const lock = new pg.Client({ connectionString: this.#connectionString });
    // A dropped connection must fail connect(), not crash the process with an 'error' event.
    lock.on('error', () => {});
    await lock.connect();
    try {
      await lock.query(`SELECT pg_advisory_lock(hashtext('crmsync.agenda_schema'))`);
      await super.connect();
    } finally {
      await lock.end();
    }
  }
}
