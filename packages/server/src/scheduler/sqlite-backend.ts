import { createLogger } from '@crmsync/core';
import type { AgendaBackend, JobRepository, NotificationChannel } from 'agenda';
import Database from 'better-sqlite3';
import { SqliteJobRepository } from './sqlite-job-repository.js';
import { SqliteNotificationChannel } from './sqlite-notification-channel.js';

const log = createLogger('crmsync:scheduler:sqlite-backend');

export interface SqliteBackendOptions {
  /** A file path (or `:memory:`, useful only within one Agenda instance). */
  path: string;
  tableName?: string;
  /**
   * Job notifications between processes on this file (default on, checked every 100 ms), so
   * a job saved "now" elsewhere starts without waiting for `processEvery`. `false`: poll only.
   */
  notifications?: boolean | { pollMs?: number };
}

/**
 * Agenda 6 storage in a SQLite file: the embedded default, so `crmsync start` needs no
 * other server. Several processes may share the file — locks are single atomic UPDATEs —
 * and a small notifications table stands in for LISTEN/NOTIFY (see SqliteNotificationChannel).
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
  readonly #channel: SqliteNotificationChannel | undefined;

  constructor(options: SqliteBackendOptions) {
    this.#options = options;
    const notify = options.notifications ?? true;
    if (notify !== false) {
      this.#channel = new SqliteNotificationChannel({
        path: options.path,
        ...(options.tableName && { tableName: `${options.tableName}_notifications` }),
        ...(typeof notify === 'object' && notify.pollMs && { pollMs: notify.pollMs }),
      });
    }
    this.#open();
  }

  get notificationChannel(): NotificationChannel | undefined {
    return this.#channel;
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
    log.debug(`connected to ${this.#options.path}`);
  }

  async disconnect(): Promise<void> {
    if (this.#db?.open) this.#db.close();
    this.#db = undefined;
    this.#repository = undefined;
    log.debug(`closed ${this.#options.path}`);
  }
}
