import type { AgendaBackend, JobRepository } from 'agenda';
import Database from 'better-sqlite3';
import createDebug from 'debug';
import { SqliteJobRepository } from './sqlite-job-repository.js';

const log = createDebug('crmsync:scheduler:sqlite-backend');

export interface SqliteBackendOptions {
  /** A file path (or `:memory:`, useful only within one Agenda instance). */
  path: string;
  tableName?: string;
}

/**
 * Agenda 6 storage in a SQLite file: the embedded default, so `crmsync start` needs no
 * other server. Several processes may share the file — locks are single atomic UPDATEs —
 * but SQLite has no cross-process notifications, so Agenda polls (`processEvery`).
 *
 * @example
 * const agenda = new Agenda({ backend: new SqliteBackend({ path: '.crmsync/agenda.db' }), processEvery: '1 second' });
 */
export class SqliteBackend implements AgendaBackend {
  readonly name = 'SQLite';
  readonly ownsConnection = true;
  readonly #options: SqliteBackendOptions;
  #db: Database.Database | undefined;
  #repository: SqliteJobRepository | undefined;

  constructor(options: SqliteBackendOptions) {
    this.#options = options;
    this.#open();
  }

  #open(): SqliteJobRepository {
    const db = new Database(this.#options.path);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    db.pragma('synchronous = NORMAL');
    this.#db = db;
    this.#repository = new SqliteJobRepository(db, this.#options.tableName);
    return this.#repository;
  }

  get repository(): JobRepository {
    return this.#repository ?? this.#open();
  }

  async connect(): Promise<void> {
    if (!this.#db?.open) this.#open();
    await this.repository.connect();
    log('connected to %s', this.#options.path);
  }

  async disconnect(): Promise<void> {
    if (this.#db?.open) this.#db.close();
    this.#db = undefined;
    this.#repository = undefined;
    log('closed %s', this.#options.path);
  }
}
