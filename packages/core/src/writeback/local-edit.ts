import { CrmsyncError, InputError } from '../contracts/errors.js';
import type { Conflict, LocalChange } from '../contracts/local-changes.js';
import type { EntityDefinition } from '../contracts/plugin.js';
import type { Store } from '../contracts/store.js';
import type { WritableFields } from '../contracts/write.js';
import { contentHash } from '../hash.js';
import { parseFieldValues } from './field-values.js';
import { localChangesOf, storedRecords, writerOf } from './push.js';

export interface LocalEdit {
  recordId: string;
  /** Field → value as typed or sent; parsed against the writable fields. */
  values: Record<string, unknown>;
}

export interface RecordEditsOptions {
  store: Store;
  crmSource: string;
  // biome-ignore lint/suspicious/noExplicitAny: entities differ in their raw record type
  entity: EntityDefinition<any, any>;
  /** The writable fields (from `entity.write.writableFields`), fetched once by the caller. */
  writable: WritableFields;
  edits: readonly LocalEdit[];
  author: string;
}

/**
 * Records local edits of synced records as pending changes, each against its base: the stored
 * (last synced) values of the changed fields and the record's remote modification time. Values
 * are checked against the CRM's field types and picklists first; a record that was never
 * synced is refused (there is no base to merge against).
 */
export async function recordEdits(options: RecordEditsOptions): Promise<LocalChange[]> {
  const { store, crmSource, entity } = options;
  writerOf(crmSource, entity);
  const changes = localChangesOf(store);
  const inputs = [];
  const parsed = options.edits.map((edit) =>
    parseFieldValues(options.writable, edit.values, `${crmSource} ${entity.name}`),
  );
  const stored = await storedRecords(
    store,
    crmSource,
    entity.name,
    options.edits.map((e) => e.recordId),
  );
  for (const [i, edit] of options.edits.entries()) {
    const fields = parsed[i] ?? {};
    const row = stored.get(edit.recordId);
    if (!row || row.deletedAt)
      throw new InputError(
        'id',
        `the id of a synced ${crmSource} ${entity.name} record (sync it first)`,
        edit.recordId,
      );
    const base: Record<string, unknown> = {};
    for (const field of Object.keys(fields)) base[field] = row.data[field] ?? null;
    inputs.push({
      crmSource,
      entity: entity.name,
      recordId: edit.recordId,
      fields,
      base,
      baseRemoteModifiedAt: row.remoteUpdatedAt,
      author: options.author,
    });
  }
  return changes.recordChanges(inputs);
}

export type Resolution =
  | { keep: 'local' }
  | { keep: 'remote' }
  | { value: Record<string, unknown> };

/**
 * Resolves a conflict. Keep local: the conflicting fields are rebased on the CRM's values, so
 * the next push writes ours. Keep remote: our values of the conflicting fields are dropped and
 * the stored record takes the CRM's; what is left of the change (fields that did not conflict)
 * goes back to pending, or the change is done. A typed value: written like keep local, with it.
 * Returns the change as it now stands.
 */
export async function resolveConflict(
  store: Store,
  conflictId: string,
  resolution: Resolution,
  writable?: WritableFields,
): Promise<{ conflict: Conflict; change: LocalChange }> {
  const changes = localChangesOf(store);
  const conflict = await changes.getConflict(conflictId);
  if (!conflict)
    throw new InputError('conflict id', 'the id of a conflict (see crmsync conflicts)', conflictId);
  if (conflict.resolvedAt)
    throw new InputError(
      'conflict id',
      'an open conflict',
      `${conflictId} (resolved: kept ${conflict.resolution})`,
    );
  const change = await changes.getChange(conflict.changeId);
  if (!change) throw new CrmsyncError('system', `conflict ${conflictId} has no local change`);
  const fields = { ...change.fields };
  const base = { ...change.base };
  if ('value' in resolution) {
    const names = conflict.fields.map((f) => f.field);
    const values = writable
      ? parseFieldValues(writable, resolution.value, `${change.crmSource} ${change.entity}`)
      : resolution.value;
    for (const name of Object.keys(values))
      if (!names.includes(name))
        throw new InputError(name, `a field of the conflict (${names.join(', ')})`);
    for (const f of conflict.fields) {
      base[f.field] = f.remote;
      if (f.field in values) fields[f.field] = values[f.field];
    }
  } else if (resolution.keep === 'local') {
    for (const f of conflict.fields) base[f.field] = f.remote;
  } else {
    const remote: Record<string, unknown> = {};
    for (const f of conflict.fields) {
      delete fields[f.field];
      delete base[f.field];
      remote[f.field] = f.remote;
    }
    const stored = await store.getRecord(change.crmSource, change.entity, change.recordId);
    if (stored) {
      const data = { ...stored.data, ...remote };
      await store.upsertRecords(
        change.crmSource,
        change.entity,
        [
          {
            externalId: stored.externalId,
            data,
            hash: contentHash(data),
            remoteUpdatedAt: conflict.remoteModifiedAt ?? stored.remoteUpdatedAt,
            remoteCreatedAt: stored.remoteCreatedAt,
          },
        ],
        { runId: change.runId ?? stored.lastRunId ?? 'resolve', policy: 'overwrite' },
      );
    }
  }
  const done = Object.keys(fields).length === 0;
  await changes.updateChanges([change.id], {
    state: done ? 'synced' : 'pending',
    reason: done ? 'kept the remote values' : null,
    fields,
    base,
  });
  const kind = 'value' in resolution ? 'value' : resolution.keep;
  await changes.markResolved(conflictId, kind);
  const [after, now] = await Promise.all([
    changes.getChange(change.id),
    changes.getConflict(conflictId),
  ]);
  if (!after || !now)
    throw new CrmsyncError('system', `conflict ${conflictId} vanished while it was resolved`);
  return { conflict: now, change: after };
}
