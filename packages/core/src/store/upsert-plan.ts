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
 * store uses this, so they count alike.
 */
export function planUpsert(
  stored: Map<string, StoredRecordState>,
  records: RecordWrite[],
  policy: UpsertOptions['policy'],
): UpsertPlan {
  const result: UpsertResult = { created: 0, updated: 0, unchanged: 0, keptNewer: 0 };
  const writes = new Map<string, RecordWrite>();
  for (const record of records) {
    const incomingUpdatedAt = record.remoteUpdatedAt ? record.remoteUpdatedAt.getTime() : null;
    const previous = stored.get(record.externalId);
    if (!previous) {
      result.created++;
    } else if (!previous.deleted && previous.hash === record.hash) {
      result.unchanged++;
      continue;
    } else if (
      policy === 'keep-newer' &&
      previous.remoteUpdatedAt !== null &&
      incomingUpdatedAt !== null &&
      previous.remoteUpdatedAt > incomingUpdatedAt
    ) {
      result.keptNewer++;
      continue;
    } else {
      result.updated++;
    }
    stored.set(record.externalId, {
      hash: record.hash,
      remoteUpdatedAt: incomingUpdatedAt,
      deleted: false,
    });
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
