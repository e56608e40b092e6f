import type { RecordWrite, UpsertOptions, UpsertResult } from '../contracts/store.js';

/** What a bulk write reads of a stored record before deciding whether to write it. */
export interface StoredRecordState {
  hash: string;
  /** Milliseconds since the epoch. */
  remoteUpdatedAt: number | null;
  deleted: boolean;
}

export interface UpsertPlan {
  /** One row per external id (the batch's last version of it), in first-seen order. */
  writes: RecordWrite[];
  result: UpsertResult;
}

/**
 * Decides, record by record and in batch order, what a batch does to the stored rows: a new
 * id is created; the same hash on a live row is unchanged (not rewritten); under
 * `keep-newer` a stored row whose remote updated time is newer is kept; anything else is
 * updated (a soft-deleted row seen again is undeleted). An id repeated within the batch is
 * judged against its earlier version, as if the records were written one by one. Every
 * store uses this, so they count alike. `stored` is only read: a store may keep its own
 * values in it (MemoryStore keeps the row it found) and use them after planning.
 */
export function planUpsert(
  stored: ReadonlyMap<string, StoredRecordState>,
  records: RecordWrite[],
  policy: UpsertOptions['policy'],
): UpsertPlan {
  const result: UpsertResult = { created: 0, updated: 0, unchanged: 0, keptNewer: 0 };
  const writes = new Map<string, RecordWrite>();
  for (const record of records) {
    const incomingUpdatedAt = record.remoteUpdatedAt ? record.remoteUpdatedAt.getTime() : null;
    // The state this record meets: its batch's earlier write if there was one (a live row of
    // that write's hash and time), else the stored row. No state object per record: a full
    // sync plans every record of every page.
    const earlier = writes.get(record.externalId);
    const previous = earlier ? undefined : stored.get(record.externalId);
    if (!earlier && !previous) {
      result.created++;
    } else if (
      earlier ? earlier.hash === record.hash : !previous?.deleted && previous?.hash === record.hash
    ) {
      result.unchanged++;
      continue;
    } else if (
      policy === 'keep-newer' &&
      incomingUpdatedAt !== null &&
      (earlier
        ? (earlier.remoteUpdatedAt?.getTime() ?? Number.NEGATIVE_INFINITY) > incomingUpdatedAt
        : previous?.remoteUpdatedAt != null && previous.remoteUpdatedAt > incomingUpdatedAt)
    ) {
      result.keptNewer++;
      continue;
    } else {
      result.updated++;
    }
    writes.set(record.externalId, record);
  }
  return { writes: [...writes.values()], result };
}

/** The JSON text a store keeps for a record: the engine's hashed text when it came with one. */
export function recordJson(record: RecordWrite): string {
  return record.json ?? JSON.stringify(record.data);
}

/** Checks what SQL cannot: a record the engine hands over must have an id and a hash. */
export function assertWritable(crmSource: string, entity: string, records: RecordWrite[]): void {
  for (const record of records) {
    if (typeof record.externalId !== 'string' || record.externalId === '') {
      throw new Error(
        `${crmSource}/${entity}: a record has no external id (expected a non-empty string)`,
      );
    }
    if (typeof record.hash !== 'string' || record.hash === '') {
      throw new Error(
        `${crmSource}/${entity}/${record.externalId}: the record has no content hash`,
      );
    }
  }
}
