import { randomUUID } from 'node:crypto';
import { CrmsyncError } from '../contracts/errors.js';
import type {
  BeginRunInput,
  FinishRunInput,
  RunProgressUpdate,
  SyncEvent,
  SyncEventInput,
  SyncRun,
} from '../contracts/run.js';
import type {
  GroupedDeletes,
  RecordGroups,
  RecordWrite,
  RunQuery,
  Store,
  StoredRecord,
  UpsertOptions,
  UpsertResult,
} from '../contracts/store.js';
import type { LocalChangeStore } from '../contracts/local-changes.js';
import { groupKey, groupOf } from './groups.js';
import { MemoryLocalChanges } from './memory-local-changes.js';
import { MemoryRequestBudgets, MemorySourceMarks } from './memory-shared-state.js';
import { alreadyRunning, newRun } from './new-run.js';
import { assertWritable, planUpsert, recordJson, type StoredRecordState } from './upsert-plan.js';

/** Events kept per run; the oldest beyond this are dropped (the dashboard shows the tail). */
export const MAX_EVENTS_PER_RUN = 1_000;

const clone = <T>(value: T): T => structuredClone(value);

/**
 * A stored record as a database row keeps it: data as JSON text (a write stores the text the
 * engine hashed, no copy of the object; a read parses a fresh one) and remote times as epoch
 * milliseconds (no Date object kept per record).
 */
type MemoryRow = Omit<StoredRecord, 'data' | 'remoteUpdatedAt' | 'remoteCreatedAt'> & {
  json: string;
  remoteUpdatedAt: number | null;
  remoteCreatedAt: number | null;
};

/**
 * A Store in process memory: for tests, the plugin test kit, and benchmarks that measure
 * the engine without a database.
 *
 * @example
 * const store = new MemoryStore();
 * const engine = new SyncEngine({ store });
 */
export class MemoryStore implements Store {
  readonly location = 'memory';
  /** Offered unless the store is made without it (to see what the engine does then). */
  readonly groupedDeletes?: GroupedDeletes;
  readonly localChanges: LocalChangeStore = new MemoryLocalChanges();
  readonly requestBudgets = new MemoryRequestBudgets();
  readonly sourceMarks = new MemorySourceMarks();
  readonly #runs = new Map<string, SyncRun>();
  readonly #records = new Map<string, Map<string, MemoryRow>>();
  readonly #events = new Map<string, SyncEvent[]>();
  /** Begin order: breaks ties between runs that started in the same millisecond. */
  readonly #runSeq = new Map<string, number>();
  #eventSeq = 0;
  #closed = false;

  constructor(options: { groupedDeletes?: boolean } = {}) {
    if (options.groupedDeletes !== false)
      this.groupedDeletes = {
        softDeleteMissingInGroups: (...args) => this.#softDeleteMissingInGroups(...args),
      };
  }

  async beginRun(input: BeginRunInput): Promise<SyncRun> {
    this.#open();
    if (!input.dryRun) {
      const holder = [...this.#runs.values()].find(
        (r) =>
          r.status === 'running' &&
          !r.dryRun &&
          r.crmSource === input.crmSource &&
          r.syncType === input.syncType,
      );
      if (holder) throw alreadyRunning(clone(holder));
    }
    const run = newRun(randomUUID(), { ...input, configuration: clone(input.configuration) });
    this.#runs.set(run.id, run);
    this.#runSeq.set(run.id, this.#runSeq.size);
    return clone(run);
  }

  async updateRunProgress(runId: string, update: RunProgressUpdate): Promise<void> {
    const run = this.#running(runId, 'update');
    run.counts = { ...update.counts };
    run.heartbeatAt = update.heartbeatAt;
    if (update.checkpoint !== undefined) run.checkpoint = clone(update.checkpoint);
    if (update.highWaterMark !== undefined) run.highWaterMark = update.highWaterMark;
  }

  async finishRun(runId: string, input: FinishRunInput): Promise<SyncRun> {
    const run = this.#running(runId, 'finish');
    run.status = input.status;
    run.counts = { ...input.counts };
    run.errorMessage = input.errorMessage ?? null;
    run.errorKind = input.errorKind ?? null;
    run.performanceMetrics = input.performanceMetrics ? clone(input.performanceMetrics) : null;
    if (input.highWaterMark !== undefined) run.highWaterMark = input.highWaterMark;
    if (input.checkpoint !== undefined) run.checkpoint = clone(input.checkpoint);
    run.endTime = input.endTime ?? new Date();
    return clone(run);
  }

  async getRun(runId: string): Promise<SyncRun | null> {
    const run = this.#runs.get(runId);
    return run ? clone(run) : null;
  }

  async lastSuccessfulRun(crmSource: string, syncType: string): Promise<SyncRun | null> {
    return this.#newest(
      (r) =>
        r.crmSource === crmSource &&
        r.syncType === syncType &&
        !r.dryRun &&
        (r.status === 'success' || r.status === 'partial'),
    );
  }

  async lastRun(crmSource: string, syncType: string): Promise<SyncRun | null> {
    return this.#newest((r) => r.crmSource === crmSource && r.syncType === syncType && !r.dryRun);
  }

  async listRuns(query: RunQuery = {}): Promise<SyncRun[]> {
    const runs = [...this.#runs.values()]
      .filter(
        (r) =>
          (query.crmSource === undefined || r.crmSource === query.crmSource) &&
          (query.syncType === undefined || r.syncType === query.syncType) &&
          (query.status === undefined || r.status === query.status) &&
          (query.startedAfter === undefined || r.startTime > query.startedAfter) &&
          (query.startedBefore === undefined || r.startTime < query.startedBefore),
      )
      .sort(this.#newestFirst);
    return (query.limit === undefined ? runs : runs.slice(0, query.limit)).map(clone);
  }

  async findStaleRuns(now: Date): Promise<SyncRun[]> {
    return [...this.#runs.values()]
      .filter(
        (r) =>
          r.status === 'running' &&
          now.getTime() - (r.heartbeatAt ?? r.startTime).getTime() > r.leaseMs,
      )
      .sort(this.#newestFirst)
      .map(clone);
  }

  async upsertRecords(
    crmSource: string,
    entity: string,
    records: RecordWrite[],
    options: UpsertOptions,
  ): Promise<UpsertResult> {
    this.#open();
    assertWritable(crmSource, entity, records);
    const table = this.#table(crmSource, entity);
    // One look at the (large) table per record: the row found rides along for the write below.
    const stored = new Map<string, StoredRecordState & { row: MemoryRow }>();
    for (const r of records) {
      const row = table.get(r.externalId);
      if (row)
        stored.set(r.externalId, {
          hash: row.hash,
          remoteUpdatedAt: row.remoteUpdatedAt,
          deleted: row.deletedAt !== null,
          row,
        });
    }
    const plan = planUpsert(stored, records, options.policy);
    const now = options.now ?? new Date();
    for (const write of plan.writes) {
      const previous = stored.get(write.externalId)?.row;
      table.set(write.externalId, {
        crmSource,
        entity,
        externalId: write.externalId,
        json: recordJson(write),
        hash: write.hash,
        remoteUpdatedAt: write.remoteUpdatedAt?.getTime() ?? null,
        remoteCreatedAt: write.remoteCreatedAt?.getTime() ?? previous?.remoteCreatedAt ?? null,
        firstSyncedAt: previous?.firstSyncedAt ?? now,
        lastSyncedAt: now,
        deletedAt: null,
        lastRunId: options.runId,
      });
    }
    return plan.result;
  }

  async softDeleteRecords(
    crmSource: string,
    entity: string,
    externalIds: string[],
    runId: string,
    now: Date = new Date(),
  ): Promise<number> {
    const table = this.#table(crmSource, entity);
    let changed = 0;
    for (const id of new Set(externalIds)) {
      const row = table.get(id);
      if (row && row.deletedAt === null) {
        row.deletedAt = now;
        row.lastRunId = runId;
        changed++;
      }
    }
    return changed;
  }

  async softDeleteMissing(
    crmSource: string,
    entity: string,
    keep: ReadonlySet<string>,
    runId: string,
    now: Date = new Date(),
  ): Promise<number> {
    const table = this.#table(crmSource, entity);
    let changed = 0;
    for (const row of table.values()) {
      if (row.deletedAt === null && !keep.has(row.externalId)) {
        row.deletedAt = now;
        row.lastRunId = runId;
        changed++;
      }
    }
    return changed;
  }

  async #softDeleteMissingInGroups(
    crmSource: string,
    entity: string,
    scope: RecordGroups,
    keep: ReadonlySet<string>,
    runId: string,
    now: Date = new Date(),
  ): Promise<number> {
    this.#open();
    const wanted = new Set(scope.groups.map(groupKey));
    let changed = 0;
    for (const row of this.#table(crmSource, entity).values()) {
      if (row.deletedAt !== null || keep.has(row.externalId)) continue;
      const group = groupOf(JSON.parse(row.json) as Record<string, unknown>, scope.fields);
      if (group && wanted.has(groupKey(group))) {
        row.deletedAt = now;
        row.lastRunId = runId;
        changed++;
      }
    }
    return changed;
  }

  async getRecords(
    crmSource: string,
    entity: string,
    externalIds: readonly string[],
  ): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    for (const id of externalIds) {
      const record = await this.getRecord(crmSource, entity, id);
      if (record) out.push(record);
    }
    return out;
  }

  async getRecord(
    crmSource: string,
    entity: string,
    externalId: string,
  ): Promise<StoredRecord | null> {
    const row = this.#records.get(`${crmSource}\u0000${entity}`)?.get(externalId);
    if (!row) return null;
    // Field by field rather than structuredClone: a push reads every record it writes back,
    // and the row holds only strings and times.
    return {
      crmSource: row.crmSource,
      entity: row.entity,
      externalId: row.externalId,
      hash: row.hash,
      firstSyncedAt: new Date(row.firstSyncedAt),
      lastSyncedAt: new Date(row.lastSyncedAt),
      deletedAt: row.deletedAt === null ? null : new Date(row.deletedAt),
      lastRunId: row.lastRunId,
      data: JSON.parse(row.json) as Record<string, unknown>,
      remoteUpdatedAt: row.remoteUpdatedAt === null ? null : new Date(row.remoteUpdatedAt),
      remoteCreatedAt: row.remoteCreatedAt === null ? null : new Date(row.remoteCreatedAt),
    };
  }

  async countRecords(
    crmSource: string,
    entity: string,
    options: { includeDeleted?: boolean } = {},
  ): Promise<number> {
    let n = 0;
    for (const row of this.#records.get(`${crmSource}\u0000${entity}`)?.values() ?? []) {
      if (options.includeDeleted || row.deletedAt === null) n++;
    }
    return n;
  }

  async appendEvents(events: SyncEventInput[]): Promise<void> {
    this.#open();
    for (const e of events) {
      if (!this.#runs.has(e.runId))
        throw new CrmsyncError(
          'system',
          `cannot log an event for sync run ${e.runId}: no such run`,
        );
      const list = this.#events.get(e.runId) ?? [];
      list.push({
        id: String(++this.#eventSeq),
        runId: e.runId,
        level: e.level,
        message: e.message,
        recordId: e.recordId ?? null,
        details: e.details ?? null,
        at: e.at ?? new Date(),
      });
      if (list.length > MAX_EVENTS_PER_RUN) list.splice(0, list.length - MAX_EVENTS_PER_RUN);
      this.#events.set(e.runId, list);
    }
  }

  async listEvents(runId: string, options: { limit?: number } = {}): Promise<SyncEvent[]> {
    const list = this.#events.get(runId) ?? [];
    return (options.limit === undefined ? list : list.slice(0, options.limit)).map(clone);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #open() {
    if (this.#closed) throw new CrmsyncError('system', 'the store is closed');
  }

  #table(crmSource: string, entity: string): Map<string, MemoryRow> {
    const key = `${crmSource}\u0000${entity}`;
    let table = this.#records.get(key);
    if (!table) {
      table = new Map();
      this.#records.set(key, table);
    }
    return table;
  }

  #running(runId: string, action: string): SyncRun {
    this.#open();
    const run = this.#runs.get(runId);
    if (!run) throw new CrmsyncError('system', `cannot ${action} sync run ${runId}: no such run`);
    if (run.status !== 'running')
      throw new CrmsyncError(
        'system',
        `cannot ${action} sync run ${runId}: it is already ${run.status}`,
      );
    return run;
  }

  readonly #newestFirst = (a: SyncRun, b: SyncRun): number =>
    b.startTime.getTime() - a.startTime.getTime() ||
    (this.#runSeq.get(b.id) ?? 0) - (this.#runSeq.get(a.id) ?? 0);

  #newest(match: (r: SyncRun) => boolean): SyncRun | null {
    const run = [...this.#runs.values()].filter(match).sort(this.#newestFirst)[0];
    return run ? clone(run) : null;
  }
}
