import {
  alreadyRunning,
  createLogger,
  type BeginRunInput,
  CrmsyncError,
  type FinishRunInput,
  newRun,
  type RecordGroups,
  type RecordIndexes,
  type GroupedDeletes,
  type LocalChangeStore,
  type RecordWrite,
  type RunProgressUpdate,
  type RunQuery,
  type Store,
  type StoredRecord,
  type SyncEvent,
  type SyncEventInput,
  type SyncRun,
  type UpsertOptions,
  type UpsertResult,
} from '@crmsync/core';
import { type DatabaseProvider, type DatabaseTarget, redact } from './database-url.js';
import type pg from 'pg';
import { loadMigrations, migratePostgres, migrateSqlite } from './migrations.js';
import { createPostgresPool, SQLITE_BUSY_TIMEOUT_MS } from './postgres-pool.js';
import { PostgresRecordTable } from './postgres-record-table.js';
import { PrismaLocalChanges } from './prisma-local-changes.js';
import type { CrmRecord, PrismaClient } from './prisma-client.js';
import type { RecordTable } from './record-table.js';
import { toSyncEvent } from './run-row.js';
import { newRunId } from './run-id.js';
import { SqliteRecordTable } from './sqlite-record-table.js';
import { DatabaseRequestBudgets, DatabaseSourceMarks } from './shared-state.js';

const log = createLogger('crmsync:store');

function toStoredRecord(row: CrmRecord): StoredRecord {
  return {
    crmSource: row.crmSource,
    entity: row.entity,
    externalId: row.externalId,
    data: row.data as Record<string, unknown>,
    hash: row.contentHash,
    remoteUpdatedAt: row.remoteUpdatedAt,
    remoteCreatedAt: row.remoteCreatedAt,
    firstSyncedAt: row.firstSyncedAt,
    lastSyncedAt: row.lastSyncedAt,
    deletedAt: row.deletedAt,
    lastRunId: row.lastRunId,
  };
}

/** Events kept per run; the oldest beyond this are dropped (the dashboard shows the tail). */
export const MAX_EVENTS_PER_RUN = 1_000;

/**
 * The server's `Store`: events and schedules through Prisma; the `crm_record` hot path, the
 * run bookkeeping, the run history and the live counts through the driver's own SQL. Works on
 * SQLite (embedded default) and PostgreSQL. Prisma is loaded on first use (`usePrisma`), so a
 * command that only syncs or lists never loads it (issue 28: ~2 s of a cold start here).
 *
 * @example
 * const store = await openStore({ cwd: process.cwd() }); // migrates unless migrate: false
 * const run = await store.beginRun({ crmSource: 'hubspot', syncType: 'contacts', mode: 'delta',
 *   trigger: 'cli', dryRun: false, configuration: {}, leaseMs: 60_000 });
 * await store.close();
 */
export class PrismaStore implements Store {
  readonly provider: DatabaseProvider;
  readonly target: DatabaseTarget;
  /** The database as messages name it: the SQLite file, or the URL without its password. */
  readonly location: string;
  readonly groupedDeletes: GroupedDeletes = {
    softDeleteMissingInGroups: (...args) => this.#softDeleteMissingInGroups(...args),
  };
  readonly recordIndexes: RecordIndexes = {
    ensureIndexes: (crmSource, entity, fields, primaryKey) =>
      this.#records.ensureIndexes(crmSource, entity, fields, primaryKey),
  };
  readonly localChanges: LocalChangeStore;
  readonly requestBudgets: DatabaseRequestBudgets;
  readonly sourceMarks: DatabaseSourceMarks;
  readonly #pool: pg.Pool | undefined;
  readonly #records: RecordTable;
  #prisma: PrismaClient | null = null;
  #prismaLoading: Promise<PrismaClient> | null = null;
  #closed = false;

  /** `sqliteBusyTimeoutMs`: how long a SQLite write waits for another process's lock. */
  constructor(target: DatabaseTarget, options: { sqliteBusyTimeoutMs?: number } = {}) {
    this.target = target;
    this.provider = target.provider;
    this.location =
      target.filename ??
      `${redact(target.url)}${target.schema ? ` (schema ${target.schema})` : ''}`;
    if (target.provider === 'postgresql') {
      this.#pool = createPostgresPool(target);
      this.#records = new PostgresRecordTable(this.#pool);
    } else {
      if (!target.filename) throw new Error('a SQLite target needs a filename');
      this.#records = new SqliteRecordTable(target.filename, options.sqliteBusyTimeoutMs);
    }
    // Write-back goes through Prisma, loaded when a change is first recorded or read; the
    // shared state a sync reads and writes (source marks, request budgets) through the driver.
    this.localChanges = new PrismaLocalChanges(() => this.usePrisma());
    this.requestBudgets = new DatabaseRequestBudgets(this.#records);
    this.sourceMarks = new DatabaseSourceMarks(this.#records);
  }

  /**
   * The Prisma client, once `usePrisma` (or `openStore`, unless `prisma: false`) loaded it.
   * The API, the scheduler and the schedule commands use it; syncs and `crmsync list` do not.
   */
  get prisma(): PrismaClient {
    if (!this.#prisma)
      throw new CrmsyncError(
        'system',
        'this store was opened without Prisma (openStore({ prisma: false })): await store.usePrisma() first',
      );
    return this.#prisma;
  }

  /**
   * Loads, creates and connects the Prisma client (once), with per-connection settings: on
   * SQLite it enforces foreign keys, uses NORMAL sync in WAL mode and checkpoints at the same
   * threshold as the bulk connection. On PostgreSQL it shares the store's pool.
   */
  usePrisma(): Promise<PrismaClient> {
    this.#assertOpen();
    this.#prismaLoading ??= (async () => {
      const { connectDatabase } = await import('./prisma-client.js');
      const prisma = connectDatabase(this.target, this.#pool).prisma;
      await prisma.$connect();
      if (this.provider === 'sqlite') {
        await prisma.$executeRawUnsafe('PRAGMA foreign_keys = ON');
        await prisma.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
        // Checkpoints are the bulk connection's job, at its 10,000-page threshold: with the
        // default 1,000, every small run-progress commit on this connection would copy the WAL
        // that a sync's record batches keep growing (half a sync's store time, measured).
        await prisma.$executeRawUnsafe('PRAGMA wal_autocheckpoint = 10000');
      }
      this.#prisma = prisma;
      return prisma;
    })();
    return this.#prismaLoading;
  }

  /** Opens the connections: `openStore` calls it (Prisma's too unless it opens without). */
  async connect(options: { prisma?: boolean } = {}): Promise<void> {
    if (options.prisma !== false) await this.usePrisma();
  }

  /** Applies pending migrations; returns their names. */
  async migrate(): Promise<string[]> {
    const migrations = loadMigrations(this.provider);
    const applied =
      this.#records instanceof SqliteRecordTable
        ? this.#records.whileWaitingForLocks(SQLITE_BUSY_TIMEOUT_MS, (db) =>
            migrateSqlite(db, migrations),
          )
        : await migratePostgres(this.#requirePool(), migrations, this.target.schema);
    if (applied.length > 0) log.debug('applied migrations', { applied });
    return applied;
  }

  /** Round-trip time of a trivial query, in milliseconds. */
  async ping(): Promise<number> {
    const started = performance.now();
    await (await this.usePrisma()).$queryRawUnsafe('SELECT 1');
    return performance.now() - started;
  }

  // The run's own bookkeeping (start, progress, log lines, finish, and the planner's look at
  // the last runs) goes through the driver like the record writes: see RecordTable.
  async beginRun(input: BeginRunInput): Promise<SyncRun> {
    this.#assertOpen();
    const run = newRun(newRunId(), input);
    // The unique index on running rows decides between two processes beginning at once; the
    // holder is looked up after the refusal (a second try when it finished in between).
    for (let attempt = 0; !(await this.#records.insertRun(run)); attempt++) {
      const holder = await this.#records.runningRun(input.crmSource, input.syncType);
      if (holder || attempt > 0)
        throw holder
          ? alreadyRunning(holder)
          : new CrmsyncError(
              'system',
              `sync run of ${input.crmSource} ${input.syncType} refused by the one-running-run index, but no running run was found`,
              { crm: input.crmSource, entity: input.syncType },
            );
    }
    // Read back, so the caller holds exactly what is stored (times at the column's precision).
    const stored = await this.#records.getRun(run.id);
    if (!stored) throw new CrmsyncError('system', `sync run ${run.id} vanished as it began`);
    return stored;
  }

  async updateRunProgress(runId: string, update: RunProgressUpdate): Promise<void> {
    this.#assertOpen();
    if (!(await this.#records.updateRunProgress(runId, update)))
      await this.#refuseNotRunning(runId, 'update');
  }

  async finishRun(runId: string, input: FinishRunInput): Promise<SyncRun> {
    this.#assertOpen();
    if (!(await this.#records.finishRun(runId, input)))
      await this.#refuseNotRunning(runId, 'finish');
    const run = await this.getRun(runId);
    if (!run)
      throw new CrmsyncError('system', `sync run ${runId} vanished while it was being finished`);
    return run;
  }

  async getRun(runId: string): Promise<SyncRun | null> {
    this.#assertOpen();
    return this.#records.getRun(runId);
  }

  async lastSuccessfulRun(crmSource: string, syncType: string): Promise<SyncRun | null> {
    this.#assertOpen();
    return this.#records.newestRun(crmSource, syncType, true);
  }

  async lastRun(crmSource: string, syncType: string): Promise<SyncRun | null> {
    this.#assertOpen();
    return this.#records.newestRun(crmSource, syncType, false);
  }

  async listRuns(query: RunQuery = {}): Promise<SyncRun[]> {
    this.#assertOpen();
    return this.#records.listRuns(query);
  }

  async findStaleRuns(now: Date): Promise<SyncRun[]> {
    this.#assertOpen();
    // Served by the (status, start_time) index; running rows are few, so the lease
    // arithmetic (a per-row column) is done here rather than in SQL for both dialects.
    const running = await this.#records.runningRuns();
    return running.filter(
      (run) => now.getTime() - (run.heartbeatAt ?? run.startTime).getTime() > run.leaseMs,
    );
  }

  async upsertRecords(
    crmSource: string,
    entity: string,
    records: RecordWrite[],
    options: UpsertOptions,
  ): Promise<UpsertResult> {
    this.#assertOpen();
    if (records.length === 0) {
      return { created: 0, updated: 0, unchanged: 0, keptNewer: 0 };
    }
    return this.#records.upsert(crmSource, entity, records, options);
  }

  async softDeleteRecords(
    crmSource: string,
    entity: string,
    externalIds: string[],
    runId: string,
    now: Date = new Date(),
  ): Promise<number> {
    this.#assertOpen();
    return this.#records.softDelete(crmSource, entity, externalIds, runId, now);
  }

  async softDeleteMissing(
    crmSource: string,
    entity: string,
    keep: ReadonlySet<string>,
    runId: string,
    now: Date = new Date(),
  ): Promise<number> {
    this.#assertOpen();
    return this.#records.softDeleteMissing(crmSource, entity, keep, runId, now);
  }

  async #softDeleteMissingInGroups(
    crmSource: string,
    entity: string,
    scope: RecordGroups,
    keep: ReadonlySet<string>,
    runId: string,
    now: Date = new Date(),
  ): Promise<number> {
    this.#assertOpen();
    return this.#records.softDeleteMissingInGroups(crmSource, entity, scope, keep, runId, now);
  }

  async getRecord(
    crmSource: string,
    entity: string,
    externalId: string,
  ): Promise<StoredRecord | null> {
    this.#assertOpen();
    const row = await (await this.usePrisma()).crmRecord.findUnique({
      where: { crmSource_entity_externalId: { crmSource, entity, externalId } },
    });
    return row ? toStoredRecord(row) : null;
  }

  async getRecords(
    crmSource: string,
    entity: string,
    externalIds: readonly string[],
  ): Promise<StoredRecord[]> {
    this.#assertOpen();
    const out: StoredRecord[] = [];
    // SQLite takes at most 999 parameters a query.
    for (let i = 0; i < externalIds.length; i += 500) {
      const rows = await (await this.usePrisma()).crmRecord.findMany({
        where: { crmSource, entity, externalId: { in: externalIds.slice(i, i + 500) } },
      });
      out.push(...rows.map(toStoredRecord));
    }
    return out;
  }

  async countRecords(
    crmSource: string,
    entity: string,
    options: { includeDeleted?: boolean } = {},
  ): Promise<number> {
    this.#assertOpen();
    if (!options.includeDeleted) return this.#records.countLive(crmSource, entity);
    return (await this.usePrisma()).crmRecord.count({ where: { crmSource, entity } });
  }

  async appendEvents(events: SyncEventInput[]): Promise<void> {
    this.#assertOpen();
    // Every page's warnings of a sync: through the driver, like the record writes.
    await this.#records.appendEvents(events, MAX_EVENTS_PER_RUN);
  }

  async listEvents(runId: string, options: { limit?: number } = {}): Promise<SyncEvent[]> {
    this.#assertOpen();
    const rows = await (await this.usePrisma()).syncEvent.findMany({
      where: { runId },
      orderBy: { id: 'asc' },
      ...(options.limit !== undefined && { take: options.limit }),
    });
    return rows.map(toSyncEvent);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // A client still loading is waited for, so that it is disconnected too.
    const prisma = await this.#prismaLoading?.catch(() => null);
    await prisma?.$disconnect();
    await this.#records.close();
    const pool = this.#pool;
    if (pool && !pool.ended) await pool.end();
  }

  #assertOpen(): void {
    if (this.#closed) throw new CrmsyncError('system', 'the store is closed');
  }

  #requirePool() {
    const pool = this.#pool;
    if (!pool) throw new Error('not a PostgreSQL store');
    return pool;
  }

  async #refuseNotRunning(runId: string, action: string): Promise<never> {
    const run = await this.#records.getRun(runId);
    if (!run) throw new CrmsyncError('system', `cannot ${action} sync run ${runId}: no such run`);
    throw new CrmsyncError(
      'system',
      `cannot ${action} sync run ${runId}: it is already ${run.status}`,
    );
  }
}
