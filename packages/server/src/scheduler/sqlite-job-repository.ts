import { createLogger } from '@crmsync/core';
import { randomUUID } from 'node:crypto';
import {
  computeJobState,
  type JobId,
  type JobParameters,
  type JobRepository,
  type JobRepositoryOptions,
  type JobsOverview,
  type JobsQueryOptions,
  type JobsResult,
  type JobWithState,
  type RemoveJobsOptions,
  toJobId,
} from 'agenda';
import type BetterSqlite3 from 'better-sqlite3';
import { dataMatches, matchesUnique } from './job-match.js';

const log = createLogger('crmsync:scheduler:sqlite-repository');

/** One row of the jobs table: dates are epoch milliseconds, JSON columns are text. */
interface JobRow {
  id: string;
  name: string;
  priority: number;
  next_run_at: number | null;
  type: 'normal' | 'single';
  locked_at: number | null;
  last_finished_at: number | null;
  failed_at: number | null;
  fail_count: number | null;
  fail_reason: string | null;
  repeat_timezone: string | null;
  last_run_at: number | null;
  repeat_interval: string | null;
  repeat_interval_ms: number | null;
  data: string;
  repeat_at: string | null;
  disabled: number;
  progress: number | null;
  fork: number;
  last_modified_by: string | null;
  debounce_started_at: number | null;
  start_date: number | null;
  end_date: number | null;
  skip_days: string | null;
}

const ms = (d: Date | string | number | null | undefined): number | null => {
  if (d === null || d === undefined) return null;
  const t = d instanceof Date ? d.getTime() : new Date(d).getTime();
  return Number.isNaN(t) ? null : t;
};
const date = (t: number | null): Date | undefined => (t === null ? undefined : new Date(t));

function rowToJob(row: JobRow): JobParameters {
  return {
    _id: toJobId(row.id),
    name: row.name,
    priority: row.priority,
    nextRunAt: row.next_run_at === null ? null : new Date(row.next_run_at),
    type: row.type,
    lockedAt: date(row.locked_at),
    lastFinishedAt: date(row.last_finished_at),
    failedAt: date(row.failed_at),
    failCount: row.fail_count ?? undefined,
    failReason: row.fail_reason ?? undefined,
    repeatTimezone: row.repeat_timezone ?? undefined,
    lastRunAt: date(row.last_run_at),
    // A numeric interval (milliseconds) comes back as the number Agenda gave us.
    repeatInterval: row.repeat_interval_ms ?? row.repeat_interval ?? undefined,
    data: JSON.parse(row.data) as unknown,
    repeatAt: row.repeat_at ?? undefined,
    disabled: row.disabled === 1,
    progress: row.progress ?? undefined,
    fork: row.fork === 1,
    lastModifiedBy: row.last_modified_by ?? undefined,
    debounceStartedAt: date(row.debounce_started_at),
    startDate: date(row.start_date),
    endDate: date(row.end_date),
    skipDays: row.skip_days ? (JSON.parse(row.skip_days) as number[]) : undefined,
  } as JobParameters;
}

/** The columns a full save writes, from Agenda's job parameters. */
function definitionColumns(job: JobParameters, lastModifiedBy: string | null) {
  const interval = job.repeatInterval;
  return {
    name: job.name,
    priority: job.priority,
    next_run_at: ms(job.nextRunAt),
    type: job.type,
    repeat_timezone: job.repeatTimezone ?? null,
    repeat_interval: typeof interval === 'string' ? interval : null,
    repeat_interval_ms: typeof interval === 'number' ? interval : null,
    data: JSON.stringify(job.data ?? {}),
    repeat_at: job.repeatAt ?? null,
    disabled: job.disabled ? 1 : 0,
    fork: job.fork ? 1 : 0,
    last_modified_by: lastModifiedBy,
    start_date: ms(job.startDate),
    end_date: ms(job.endDate),
    skip_days: job.skipDays ? JSON.stringify(job.skipDays) : null,
  };
}
type DefinitionColumns = ReturnType<typeof definitionColumns>;

const SORT_COLUMNS = {
  nextRunAt: 'next_run_at',
  lastRunAt: 'last_run_at',
  lastFinishedAt: 'last_finished_at',
  priority: 'priority',
  name: 'name',
} as const;

/**
 * Agenda's `JobRepository` on one SQLite file (better-sqlite3). Every lock is a single
 * `UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING *` inside an IMMEDIATE transaction, so of
 * several processes on the same file exactly one gets a job; a lock older than the job
 * type's lock lifetime counts as abandoned, like in Agenda's MongoDB and PostgreSQL backends.
 *
 * @example
 * const repository = new SqliteJobRepository(new Database('jobs.db'));
 * await repository.connect();
 */
export class SqliteJobRepository implements JobRepository {
  readonly #db: BetterSqlite3.Database;
  readonly #table: string;

  constructor(db: BetterSqlite3.Database, tableName = 'agenda_jobs') {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tableName))
      throw new Error(`SQLite Agenda table name must be a plain identifier; got ${tableName}`);
    this.#db = db;
    this.#table = tableName;
  }

  async connect(): Promise<void> {
    const t = this.#table;
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS "${t}" (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        next_run_at INTEGER,
        type TEXT NOT NULL DEFAULT 'normal' CHECK (type IN ('normal', 'single')),
        locked_at INTEGER,
        last_finished_at INTEGER,
        failed_at INTEGER,
        fail_count INTEGER,
        fail_reason TEXT,
        repeat_timezone TEXT,
        last_run_at INTEGER,
        repeat_interval TEXT,
        repeat_interval_ms INTEGER,
        data TEXT NOT NULL DEFAULT '{}',
        repeat_at TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        progress REAL,
        fork INTEGER NOT NULL DEFAULT 0,
        last_modified_by TEXT,
        debounce_started_at INTEGER,
        start_date INTEGER,
        end_date INTEGER,
        skip_days TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS "${t}_find_and_lock_idx"
        ON "${t}" (name, next_run_at, priority DESC, locked_at) WHERE disabled = 0;
      CREATE UNIQUE INDEX IF NOT EXISTS "${t}_single_job_idx" ON "${t}" (name) WHERE type = 'single';
      CREATE INDEX IF NOT EXISTS "${t}_locked_at_idx" ON "${t}" (locked_at) WHERE locked_at IS NOT NULL;
    `);
    log.debug(`table ${t} ready`);
  }

  #all(sql: string, ...params: unknown[]): JobRow[] {
    return this.#db.prepare(sql).all(...params) as JobRow[];
  }

  #immediate<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  async getJobById(id: string): Promise<JobParameters | null> {
    const [row] = this.#all(`SELECT * FROM "${this.#table}" WHERE id = ?`, id);
    return row ? rowToJob(row) : null;
  }

  /** Rows matching the name/id/data filter (data: partial deep match, like `@>` in PostgreSQL). */
  #select(options: RemoveJobsOptions & { search?: string; includeDisabled?: boolean }) {
    const where: string[] = [];
    const params: unknown[] = [];
    const inList = (column: string, values: string[], not = false) => {
      where.push(`${column} ${not ? 'NOT IN' : 'IN'} (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    if (options.id) inList('id', [String(options.id)]);
    else if (options.ids?.length) inList('id', options.ids.map(String));
    if (options.name) inList('name', [options.name]);
    else if (options.names?.length) inList('name', options.names);
    else if (options.notNames?.length) inList('name', options.notNames, true);
    if (options.search) {
      where.push(`name LIKE ? ESCAPE '\\'`);
      params.push(`%${options.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (options.includeDisabled === false) where.push('disabled = 0');
    const rows = this.#all(
      `SELECT * FROM "${this.#table}" ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
      ...params,
    );
    return options.data === undefined
      ? rows
      : rows.filter((r) => dataMatches(JSON.parse(r.data), options.data));
  }

  #hasCriteria(o: RemoveJobsOptions): boolean {
    return Boolean(
      o.id ||
        o.ids?.length ||
        o.name ||
        o.names?.length ||
        o.notNames?.length ||
        o.data !== undefined,
    );
  }

  async queryJobs(options: JobsQueryOptions = {}): Promise<JobsResult> {
    const now = new Date();
    const { state, sort, skip = 0, limit = 0 } = options;
    let jobs: JobWithState[] = this.#select({
      ...(options.name ? { name: options.name } : options.names && { names: options.names }),
      ...(options.id ? { id: options.id } : options.ids && { ids: options.ids }),
      ...(options.search && { search: options.search }),
      ...(options.data !== undefined && { data: options.data }),
      includeDisabled: options.includeDisabled ?? true,
    }).map((row) => {
      const job = rowToJob(row);
      return { ...job, _id: job._id as JobId, state: computeJobState(job, now) };
    });
    if (state)
      jobs = jobs.filter((j) => (state === 'paused' ? j.disabled === true : j.state === state));
    const order = Object.entries(sort ?? { nextRunAt: 'desc', lastRunAt: 'desc' }) as Array<
      [keyof typeof SORT_COLUMNS | 'data', 'asc' | 'desc']
    >;
    jobs.sort((a, b) => {
      for (const [key, dir] of order) {
        if (key === 'data') continue;
        const va = a[key] instanceof Date ? (a[key] as Date).getTime() : a[key];
        const vb = b[key] instanceof Date ? (b[key] as Date).getTime() : b[key];
        if (va === vb) continue;
        if (va === undefined || va === null) return 1;
        if (vb === undefined || vb === null) return -1;
        return (va < vb ? -1 : 1) * (dir === 'asc' ? 1 : -1);
      }
      return 0;
    });
    const total = jobs.length;
    return { jobs: limit > 0 ? jobs.slice(skip, skip + limit) : jobs.slice(skip), total };
  }

  async getJobsOverview(): Promise<JobsOverview[]> {
    const now = new Date();
    const byName = new Map<string, JobsOverview>();
    for (const row of this.#all(`SELECT * FROM "${this.#table}" ORDER BY name`)) {
      const job = rowToJob(row);
      let o = byName.get(job.name);
      if (!o) {
        o = {
          name: job.name,
          total: 0,
          running: 0,
          scheduled: 0,
          queued: 0,
          completed: 0,
          failed: 0,
          repeating: 0,
          paused: 0,
        };
        byName.set(job.name, o);
      }
      o.total++;
      o[computeJobState(job, now)]++;
      if (job.disabled) o.paused++;
    }
    return [...byName.values()];
  }

  async getDistinctJobNames(): Promise<string[]> {
    return (
      this.#db.prepare(`SELECT DISTINCT name FROM "${this.#table}" ORDER BY name`).all() as Array<{
        name: string;
      }>
    ).map((r) => r.name);
  }

  async getQueueSize(): Promise<number> {
    const row = this.#db
      .prepare(`SELECT COUNT(*) AS count FROM "${this.#table}" WHERE next_run_at < ?`)
      .get(Date.now()) as { count: number };
    return row.count;
  }

  #update(options: RemoveJobsOptions, set: string): number {
    if (!this.#hasCriteria(options)) return 0;
    return this.#immediate(() => {
      const ids = this.#select(options).map((r) => r.id);
      const stmt = this.#db.prepare(`${set} WHERE id = ?`);
      let changed = 0;
      for (const id of ids) changed += stmt.run(id).changes;
      return changed;
    });
  }

  async removeJobs(options: RemoveJobsOptions): Promise<number> {
    return this.#update(options, `DELETE FROM "${this.#table}"`);
  }

  async disableJobs(options: RemoveJobsOptions): Promise<number> {
    return this.#update(
      options,
      `UPDATE "${this.#table}" SET disabled = 1, updated_at = ${Date.now()}`,
    );
  }

  async enableJobs(options: RemoveJobsOptions): Promise<number> {
    return this.#update(
      options,
      `UPDATE "${this.#table}" SET disabled = 0, updated_at = ${Date.now()}`,
    );
  }

  async purgeAllJobs(): Promise<number> {
    return this.#db.prepare(`DELETE FROM "${this.#table}"`).run().changes;
  }

  async unlockJob(job: JobParameters): Promise<void> {
    if (!job._id) return;
    // A job whose nextRunAt is null is being processed (one-off); leave its lock.
    this.#db
      .prepare(
        `UPDATE "${this.#table}" SET locked_at = NULL WHERE id = ? AND next_run_at IS NOT NULL`,
      )
      .run(String(job._id));
  }

  async unlockJobs(jobIds: (JobId | string)[]): Promise<void> {
    if (jobIds.length === 0) return;
    this.#db
      .prepare(
        `UPDATE "${this.#table}" SET locked_at = NULL WHERE id IN (${jobIds.map(() => '?').join(', ')})`,
      )
      .run(...jobIds.map(String));
  }

  async lockJob(
    job: JobParameters,
    options: JobRepositoryOptions | undefined,
  ): Promise<JobParameters | undefined> {
    if (!job._id) return undefined;
    const [row] = this.#immediate(() =>
      this.#all(
        `UPDATE "${this.#table}" SET locked_at = ?, last_modified_by = ?
         WHERE id = ? AND name = ? AND locked_at IS NULL AND next_run_at IS ? AND disabled = 0
         RETURNING *`,
        Date.now(),
        options?.lastModifiedBy ?? null,
        String(job._id),
        job.name,
        ms(job.nextRunAt),
      ),
    );
    return row ? rowToJob(row) : undefined;
  }

  async getNextJobToRun(
    jobName: string,
    nextScanAt: Date,
    lockDeadline: Date,
    now: Date | undefined,
    options: JobRepositoryOptions | undefined,
  ): Promise<JobParameters | undefined> {
    const [row] = this.#immediate(() =>
      this.#all(
        `UPDATE "${this.#table}" SET locked_at = ?, last_modified_by = ?
         WHERE id = (
           SELECT id FROM "${this.#table}"
           WHERE name = ? AND disabled = 0
             AND ((locked_at IS NULL AND next_run_at <= ?) OR locked_at <= ?)
           ORDER BY next_run_at ASC NULLS LAST, priority DESC
           LIMIT 1
         )
         RETURNING *`,
        (now ?? new Date()).getTime(),
        options?.lastModifiedBy ?? null,
        jobName,
        nextScanAt.getTime(),
        lockDeadline.getTime(),
      ),
    );
    if (row) log.debug(`locked ${jobName} ${row.id}`);
    return row ? rowToJob(row) : undefined;
  }

  async saveJobState(job: JobParameters, options: JobRepositoryOptions | undefined): Promise<void> {
    if (!job._id) throw new Error('Cannot save job state without job ID');
    const result = this.#db
      .prepare(
        `UPDATE "${this.#table}" SET locked_at = ?, next_run_at = ?, last_run_at = ?, progress = ?,
           fail_reason = ?, fail_count = ?, failed_at = ?, last_finished_at = ?,
           last_modified_by = ?, updated_at = ?
         WHERE id = ? AND name = ?`,
      )
      .run(
        ms(job.lockedAt),
        ms(job.nextRunAt),
        ms(job.lastRunAt),
        job.progress ?? null,
        job.failReason ?? null,
        job.failCount ?? null,
        ms(job.failedAt),
        ms(job.lastFinishedAt),
        options?.lastModifiedBy ?? null,
        Date.now(),
        String(job._id),
        job.name,
      );
    if (result.changes !== 1)
      throw new Error(
        `job ${job._id} (name: ${job.name}) cannot be updated in the database, maybe it does not exist anymore?`,
      );
  }

  #insert(c: DefinitionColumns, extra: { debounce_started_at?: number | null } = {}): JobRow {
    const now = Date.now();
    const row = { id: randomUUID(), ...c, debounce_started_at: extra.debounce_started_at ?? null };
    const columns = Object.keys(row);
    const [inserted] = this.#all(
      `INSERT INTO "${this.#table}" (${columns.join(', ')}, created_at, updated_at)
       VALUES (${columns.map(() => '?').join(', ')}, ?, ?) RETURNING *`,
      ...Object.values(row),
      now,
      now,
    );
    return inserted as JobRow;
  }

  #updateById(
    id: string,
    c: Partial<DefinitionColumns> & Record<string, unknown>,
  ): JobRow | undefined {
    const entries = Object.entries(c);
    const [row] = this.#all(
      `UPDATE "${this.#table}" SET ${entries.map(([k]) => `${k} = ?`).join(', ')}, updated_at = ?
       WHERE id = ? RETURNING *`,
      ...entries.map(([, v]) => v),
      Date.now(),
      id,
    );
    return row;
  }

  async saveJob<DATA = unknown>(
    job: JobParameters<DATA>,
    options: JobRepositoryOptions | undefined,
  ): Promise<JobParameters<DATA>> {
    const { _id, unique, uniqueOpts } = job;
    const c = definitionColumns(job as JobParameters, options?.lastModifiedBy ?? null);
    const saved = this.#immediate((): JobRow | undefined => {
      if (_id) {
        const [row] = this.#all(
          `SELECT id FROM "${this.#table}" WHERE id = ? AND name = ?`,
          String(_id),
          job.name,
        );
        if (!row) return undefined;
        return this.#updateById(row.id, {
          ...c,
          fail_reason: job.failReason ?? null,
          fail_count: job.failCount ?? null,
          failed_at: ms(job.failedAt),
        });
      }
      if (job.type === 'single') {
        const [existing] = this.#all(
          `SELECT * FROM "${this.#table}" WHERE name = ? AND type = 'single'`,
          job.name,
        );
        if (!existing) return this.#insert(c);
        // A due `every` job keeps the time it was already due at (Agenda's own rule).
        const protect = c.next_run_at !== null && c.next_run_at <= Date.now();
        const { name: _name, ...rest } = c;
        return this.#updateById(existing.id, {
          ...rest,
          next_run_at: protect ? (existing.next_run_at ?? c.next_run_at) : c.next_run_at,
        });
      }
      if (unique) {
        const existing = this.#all(`SELECT * FROM "${this.#table}" WHERE name = ?`, job.name).find(
          (r) => matchesUnique(rowToJob(r), unique),
        );
        const debounce = uniqueOpts?.debounce;
        const now = Date.now();
        if (existing) {
          if (uniqueOpts?.insertOnly && !debounce) return existing;
          let nextRunAt = c.next_run_at;
          let debounceStartedAt: number | null = null;
          if (debounce) {
            const started = existing.debounce_started_at ?? now;
            if (debounce.strategy === 'leading') {
              nextRunAt = existing.next_run_at;
              debounceStartedAt = started;
            } else if (debounce.maxWait && now - started >= debounce.maxWait) {
              nextRunAt = now;
            } else {
              nextRunAt = now + debounce.delay;
              debounceStartedAt = started;
            }
          }
          return this.#updateById(existing.id, {
            ...c,
            next_run_at: nextRunAt,
            debounce_started_at: debounceStartedAt,
          });
        }
        if (debounce) {
          const nextRunAt = debounce.strategy === 'leading' ? c.next_run_at : now + debounce.delay;
          return this.#insert({ ...c, next_run_at: nextRunAt }, { debounce_started_at: now });
        }
      }
      return this.#insert(c);
    });
    if (!saved) {
      log.debug(`job ${_id} was not found for update, returning it unchanged`);
      return job;
    }
    return rowToJob(saved) as JobParameters<DATA>;
  }
}
