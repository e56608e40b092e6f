import { createLogger } from '@crmsync/core';
import { BaseNotificationChannel, type JobNotification, toJobId } from 'agenda';
import Database from 'better-sqlite3';

const log = createLogger('crmsync:scheduler:sqlite-notifications');

interface NotificationRow {
  seq: number;
  payload: string;
}

export interface SqliteNotificationChannelOptions {
  path: string;
  tableName?: string;
  /** How often to look for notifications from other processes; default 100 ms. */
  pollMs?: number;
}

/**
 * Agenda job notifications between processes sharing one SQLite file. SQLite has no
 * LISTEN/NOTIFY, so `publish` appends a row to a small table and every subscriber reads the
 * rows after the last one it saw — an indexed read of a near-empty table every 100 ms,
 * instead of each worker scanning the jobs table every `processEvery`. A job saved "now" in
 * one process starts in another within about `pollMs`.
 *
 * @example
 * new Agenda({ backend: new SqliteBackend({ path }), notificationChannel: new SqliteNotificationChannel({ path }) });
 */
export class SqliteNotificationChannel extends BaseNotificationChannel {
  readonly #options: SqliteNotificationChannelOptions;
  readonly #table: string;
  #db: Database.Database | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastSeq = 0;
  #polls = 0;

  constructor(options: SqliteNotificationChannelOptions) {
    super({ channelName: options.tableName ?? 'agenda_notifications' });
    const table = options.tableName ?? 'agenda_notifications';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) {
      throw new Error(`SQLite notification table name must be a plain identifier, got "${table}"`);
    }
    this.#options = options;
    this.#table = table;
  }

  async connect(): Promise<void> {
    if (this.#db?.open) return;
    this.setState('connecting');
    const db = new Database(this.#options.path);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    db.exec(
      `CREATE TABLE IF NOT EXISTS "${this.#table}" (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         payload TEXT NOT NULL,
         created_at INTEGER NOT NULL
       )`,
    );
    const row = db.prepare(`SELECT MAX(seq) AS seq FROM "${this.#table}"`).get() as {
      seq: number | null;
    };
    this.#lastSeq = row.seq ?? 0;
    this.#db = db;
    this.#timer = setInterval(() => this.#poll(), this.#options.pollMs ?? 100);
    this.#timer.unref();
    this.setState('connected');
    log.debug(`listening on ${this.#table} after seq ${this.#lastSeq}`);
  }

  async disconnect(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#db?.open) this.#db.close();
    this.#db = undefined;
    this.setState('disconnected');
  }

  async publish(notification: JobNotification): Promise<void> {
    if (!this.#db?.open) throw new Error('SQLite notification channel is not connected');
    this.#db
      .prepare(`INSERT INTO "${this.#table}" (payload, created_at) VALUES (?, ?)`)
      .run(JSON.stringify(notification), Date.now());
  }

  #poll(): void {
    const db = this.#db;
    if (!db?.open) return;
    let rows: NotificationRow[];
    try {
      rows = db
        .prepare(`SELECT seq, payload FROM "${this.#table}" WHERE seq > ? ORDER BY seq`)
        .all(this.#lastSeq) as NotificationRow[];
      // Old notifications are useless to everyone: drop them now and then.
      if (++this.#polls % 600 === 0) {
        db.prepare(`DELETE FROM "${this.#table}" WHERE created_at < ?`).run(Date.now() - 60_000);
      }
    } catch (error) {
      this.emit('error', error as Error);
      return;
    }
    for (const row of rows) {
      this.#lastSeq = row.seq;
      const raw = JSON.parse(row.payload) as Record<string, unknown>;
      const notification: JobNotification = {
        jobId: toJobId(String(raw.jobId)),
        jobName: String(raw.jobName),
        nextRunAt: raw.nextRunAt ? new Date(String(raw.nextRunAt)) : null,
        priority: Number(raw.priority ?? 0),
        timestamp: new Date(String(raw.timestamp)),
        ...(typeof raw.source === 'string' && { source: raw.source }),
      };
      void this.notifyHandlers(notification);
    }
  }
}
