import { setMaxListeners } from 'node:events';
import { CrmsyncError, isCrmsyncError } from '../contracts/errors.js';
import type { LocalChange, LocalChangeStore } from '../contracts/local-changes.js';
import type { EntityDefinition } from '../contracts/plugin.js';
import type { RunTrigger } from '../contracts/run.js';
import type { Store, StoredRecord } from '../contracts/store.js';
import type { EntityWriter, RecordUpdate, RemoteRecord, WriteOutcome } from '../contracts/write.js';
import { hashContent } from '../hash.js';
import { threeWayMerge } from './merge.js';

/** What a push did, per change. */
export interface PushCounts {
  /** Changes handled. */
  processed: number;
  /** Written to the CRM. */
  written: number;
  /** Already held by the CRM (the same value on both sides, or a write whose bookkeeping was lost). */
  unchanged: number;
  conflicts: number;
  rejected: number;
}

export interface PushProgress extends PushCounts {
  crmSource: string;
  entity: string;
  runId: string;
  /** Changes the push set out to handle. */
  total: number;
}

export interface PushResult extends PushCounts {
  runId: string;
  status: 'success' | 'partial' | 'failed';
  errorMessage: string | null;
}

export interface PushHooks {
  onProgress?(progress: PushProgress): void;
  /**
   * Called with the CRM's answers before they are recorded: the write kit throws here to
   * stand for a process that died between the CRM's answer and our bookkeeping.
   */
  afterWrite?(outcomes: readonly WriteOutcome[]): void | Promise<void>;
}

export interface PushOptions {
  store: Store;
  crmSource: string;
  // biome-ignore lint/suspicious/noExplicitAny: entities differ in their raw record type
  entity: EntityDefinition<any, any>;
  client: unknown;
  trigger: RunTrigger;
  signal?: AbortSignal;
  hooks?: PushHooks;
  /** Push only these changes (a mass update pushes its own), else every open one of the entity. */
  changeIds?: readonly string[];
  /** `push` (default) or `mass-update`: the history row's mode and sync type prefix. */
  operation?: 'push' | 'mass-update';
  /** Extra facts for the history row's configuration (a mass update's field and value). */
  configuration?: Record<string, unknown>;
}

/** The store's local changes, or a clear refusal when it cannot keep them. */
export function localChangesOf(store: Store): LocalChangeStore {
  if (!store.localChanges)
    throw new CrmsyncError('config', 'this store cannot keep local changes (two-way sync)');
  return store.localChanges;
}

/** The entity's writer, or a refusal naming the read-only entity. */
// biome-ignore lint/suspicious/noExplicitAny: entities differ in their client type
export function writerOf(crmSource: string, entity: EntityDefinition<any, any>): EntityWriter {
  if (!entity.write)
    throw new CrmsyncError(
      'config',
      `${crmSource} ${entity.name} is read-only: it cannot be written`,
      {
        crm: crmSource,
        entity: entity.name,
      },
    );
  return entity.write as EntityWriter;
}

/** The history row's sync type of a write operation: kept apart from the entity's syncs, so a
 * push never moves a delta's starting point. */
export const writeSyncType = (operation: 'push' | 'mass-update', entity: string) =>
  `${operation}:${entity}`;

const zero = (): PushCounts => ({
  processed: 0,
  written: 0,
  unchanged: 0,
  conflicts: 0,
  rejected: 0,
});

/**
 * Pushes an entity's open local changes (`pending`, and `pushing` ones a crashed push left) to
 * the CRM in the writer's batches: each batch re-reads its records, merges each change three
 * ways per field (see `threeWayMerge`), writes what only we changed, records conflicts and the
 * CRM's per-record refusals, and brings the stored record up to what the CRM now holds. One
 * history row per push, with an event per conflict and refusal.
 */
export async function pushChanges(options: PushOptions): Promise<PushResult> {
  const { store, crmSource, entity } = options;
  const changes = localChangesOf(store);
  const writer = writerOf(crmSource, entity);
  // The push's own signal, following the caller's: every batch in flight listens on it, more
  // than Node's default of ten listeners when a CRM allows many calls at once.
  const own = new AbortController();
  const outer = options.signal;
  const onAbort = () => own.abort(outer?.reason);
  if (outer?.aborted) own.abort(outer.reason);
  else outer?.addEventListener('abort', onAbort, { once: true });
  const detach = () => outer?.removeEventListener('abort', onAbort);
  const signal = own.signal;
  const operation = options.operation ?? 'push';
  const open = ['pending', 'pushing'] as const;
  const total = options.changeIds
    ? options.changeIds.length
    : await changes.countChanges({ crmSource, entity: entity.name, states: open });
  const run = await store.beginRun({
    crmSource,
    syncType: writeSyncType(operation, entity.name),
    mode: operation,
    trigger: options.trigger,
    dryRun: false,
    configuration: {
      operation,
      entity: entity.name,
      batchSize: writer.batchSize,
      ...options.configuration,
    },
    leaseMs: 10 * 60_000,
  });
  const counts = zero();
  const report = () =>
    options.hooks?.onProgress?.({
      ...counts,
      crmSource,
      entity: entity.name,
      runId: run.id,
      total,
    });
  const finish = async (status: PushResult['status'], error: unknown) => {
    const message = error ? (error instanceof Error ? error.message : String(error)) : null;
    await store.finishRun(run.id, {
      status,
      counts: {
        processed: counts.processed,
        created: 0,
        updated: counts.written,
        unchanged: counts.unchanged,
        deleted: 0,
        failed: counts.conflicts + counts.rejected,
      },
      errorMessage: message,
      errorKind: error ? (isCrmsyncError(error) ? error.kind : 'system') : null,
      performanceMetrics: null,
    });
    return { ...counts, runId: run.id, status, errorMessage: message };
  };
  report();
  const progress = async () => {
    await store.updateRunProgress(run.id, {
      counts: {
        processed: counts.processed,
        created: 0,
        updated: counts.written,
        unchanged: counts.unchanged,
        deleted: 0,
        failed: counts.conflicts + counts.rejected,
      },
      heartbeatAt: new Date(),
    });
    report();
  };
  // Batches in flight at once. A CRM capping calls in flight (Zoho's edition cap) gets twice its
  // cap of batches: each batch alternates calls (re-read, write) with bookkeeping, so with only
  // `cap` batches the cap sits partly idle while batches merge and record; the client's limiter
  // still holds the calls themselves at the cap. Otherwise one batch at a time.
  const cap = writer.concurrency?.(options.client);
  const parallel = cap !== undefined && cap > 0 ? 2 * cap : 1;
  // Each batch adds a few listeners (its re-read, its write, the limiter's wait).
  setMaxListeners(10 + 4 * parallel, signal);
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  const launch = (batch: LocalChange[]) => {
    const task = pushBatch(options, writer, changes, run.id, batch, counts, signal)
      .then(progress)
      .catch(async (error: unknown) => {
        // A batch the CRM never answered goes back to pending; one whose answer was recorded
        // only in part stays `pushing`, and the next push settles it against the re-read.
        if (!(error instanceof AnsweredError))
          await changes
            .updateChanges(
              batch.map((c) => c.id),
              { state: 'pending', runId: run.id },
            )
            .catch(() => {});
        failure ??= { error: error instanceof AnsweredError ? error.cause : error };
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };
  try {
    const ids = options.changeIds;
    let after: string | undefined;
    let offset = 0;
    while (!failure) {
      signal.throwIfAborted();
      let batch: LocalChange[];
      if (ids) {
        const slice = ids.slice(offset, offset + writer.batchSize);
        offset += slice.length;
        if (slice.length === 0) break;
        batch = await changes.listChanges({ ids: slice, states: open });
        if (batch.length === 0) continue;
      } else {
        batch = await changes.listChanges({
          crmSource,
          entity: entity.name,
          states: open,
          limit: writer.batchSize,
          ...(after !== undefined && { after }),
        });
        if (batch.length === 0) break;
        after = batch.at(-1)?.id;
      }
      launch(batch);
      while (inFlight.size >= parallel && !failure) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } catch (error) {
    await Promise.all(inFlight);
    failure ??= { error };
  }
  detach();
  if (failure) {
    await finish('failed', failure.error);
    throw failure.error;
  }
  return finish(counts.conflicts + counts.rejected > 0 ? 'partial' : 'success', null);
}

/** Thrown when the CRM answered a batch but its bookkeeping failed: its changes stay `pushing`. */
class AnsweredError extends Error {}

async function pushBatch(
  options: PushOptions,
  writer: EntityWriter,
  changes: LocalChangeStore,
  runId: string,
  batch: LocalChange[],
  counts: PushCounts,
  signal: AbortSignal,
): Promise<void> {
  const { store, crmSource, entity } = options;
  await changes.updateChanges(
    batch.map((c) => c.id),
    { state: 'pushing', runId },
  );
  const remote = new Map(
    (await writer.read(options.client, [...new Set(batch.map((c) => c.recordId))], signal)).map(
      (r) => [r.id, r],
    ),
  );
  const updates: RecordUpdate[] = [];
  const sent = new Map<string, LocalChange>();
  const settled: Array<{
    change: LocalChange;
    record: RemoteRecord;
    written: Record<string, unknown>;
  }> = [];
  const events: Array<{
    level: 'warn';
    message: string;
    recordId: string;
    details: Record<string, unknown>;
  }> = [];
  // Refusals by reason, recorded in one statement per reason rather than one per change.
  const rejected = new Map<string, string[]>();
  const reject = (change: LocalChange, reason: string) => {
    counts.rejected++;
    const ids = rejected.get(reason);
    if (ids) ids.push(change.id);
    else rejected.set(reason, [change.id]);
  };
  const recordRejections = async () => {
    for (const [reason, ids] of rejected)
      await changes.updateChanges(ids, { state: 'rejected', reason, runId });
    rejected.clear();
  };
  for (const change of batch) {
    counts.processed++;
    const now = remote.get(change.recordId);
    if (!now) {
      const reason = `the record no longer exists at ${crmSource}`;
      reject(change, reason);
      events.push({
        level: 'warn',
        message: `rejected: ${reason}`,
        recordId: change.recordId,
        details: {},
      });
      continue;
    }
    const merged = threeWayMerge(change, now.data);
    if (merged.conflicts.length > 0) {
      counts.conflicts++;
      await changes.recordConflict({
        changeId: change.id,
        fields: merged.conflicts,
        localModifiedAt: change.updatedAt,
        remoteModifiedAt: now.modifiedAt,
      });
      events.push({
        level: 'warn',
        message: `conflict on ${merged.conflicts.map((f) => f.field).join(', ')}: changed here and at ${crmSource}`,
        recordId: change.recordId,
        details: { fields: merged.conflicts.map((f) => f.field) },
      });
      continue;
    }
    if (Object.keys(merged.write).length === 0) {
      counts.unchanged++;
      settled.push({ change, record: now, written: {} });
      continue;
    }
    updates.push({ id: change.recordId, fields: merged.write });
    sent.set(change.recordId, change);
  }
  await recordRejections();
  const outcomes = updates.length > 0 ? await writer.write(options.client, updates, signal) : [];
  const updateOf = new Map(updates.map((u) => [u.id, u.fields]));
  try {
    await options.hooks?.afterWrite?.(outcomes);
    const answered = new Set<string>();
    for (const outcome of outcomes) {
      const change = sent.get(outcome.id);
      if (!change || answered.has(outcome.id)) continue;
      answered.add(outcome.id);
      if (outcome.ok) {
        counts.written++;
        const before = remote.get(outcome.id);
        const written = updateOf.get(outcome.id) ?? {};
        settled.push({
          change,
          record: {
            id: outcome.id,
            data: { ...before?.data, ...outcome.record?.data, ...written },
            modifiedAt: outcome.record?.modifiedAt ?? before?.modifiedAt ?? null,
          },
          written,
        });
      } else {
        const reason = outcome.field ? `${outcome.field}: ${outcome.reason}` : outcome.reason;
        reject(change, reason);
        events.push({
          level: 'warn',
          message: `rejected by ${crmSource}: ${reason}`,
          recordId: change.recordId,
          details: {},
        });
      }
    }
    for (const [id, change] of sent)
      if (!answered.has(id)) reject(change, `${crmSource} did not answer for this record`);
    await recordRejections();
    await applyToStore(store, crmSource, entity.name, runId, settled);
    if (settled.length > 0)
      await changes.updateChanges(
        settled.map((s) => s.change.id),
        { state: 'synced', reason: null, runId },
      );
    if (events.length > 0) await store.appendEvents(events.map((e) => ({ ...e, runId })));
  } catch (error) {
    throw new AnsweredError('bookkeeping failed after the CRM answered', { cause: error });
  }
}

/** The stored records take what the CRM now holds, so the next change starts from it. */
async function applyToStore(
  store: Store,
  crmSource: string,
  entity: string,
  runId: string,
  settled: Array<{ record: RemoteRecord; written: Record<string, unknown> }>,
): Promise<void> {
  const writes = [];
  const byId = await storedRecords(
    store,
    crmSource,
    entity,
    settled.map((s) => s.record.id),
  );
  for (const { record, written } of settled) {
    const stored = byId.get(record.id);
    if (!stored) continue;
    const data = { ...stored.data, ...record.data, ...written };
    // The text hashed is the text a store keeps: not serialized a second time.
    const { hash, json } = hashContent(data);
    writes.push({
      externalId: record.id,
      data,
      hash,
      json,
      remoteUpdatedAt: record.modifiedAt ?? stored.remoteUpdatedAt,
      remoteCreatedAt: stored.remoteCreatedAt,
    });
  }
  if (writes.length > 0)
    await store.upsertRecords(crmSource, entity, writes, { runId, policy: 'overwrite' });
}

/** Stored records by id, in one call where the store offers `getRecords`. */
export async function storedRecords(
  store: Store,
  crmSource: string,
  entity: string,
  ids: readonly string[],
): Promise<Map<string, StoredRecord>> {
  const rows = store.getRecords
    ? await store.getRecords(crmSource, entity, ids)
    : (await Promise.all(ids.map((id) => store.getRecord(crmSource, entity, id)))).filter(
        (r): r is StoredRecord => r !== null,
      );
  return new Map(rows.map((r) => [r.externalId, r]));
}
