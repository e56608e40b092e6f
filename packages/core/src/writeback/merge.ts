import type { ConflictField } from '../contracts/local-changes.js';
import { sameValue } from './field-values.js';

export interface MergeResult {
  /** Fields changed only here: to be written. */
  write: Record<string, unknown>;
  /** Fields changed on both sides to different values: held, never overwritten. */
  conflicts: ConflictField[];
}

/**
 * The three-way merge of one local change with the record as the CRM holds it now, per field:
 * the CRM already holds the local value → nothing to do (the same edit on both sides, or our
 * own write whose bookkeeping was lost); the CRM still holds the base → write the local value;
 * otherwise the CRM changed it too, to something else → a conflict. A field the CRM changed
 * and we did not is not in the change, so it is kept as it is.
 */
export function threeWayMerge(
  change: { fields: Record<string, unknown>; base: Record<string, unknown> },
  remote: Record<string, unknown>,
): MergeResult {
  const write: Record<string, unknown> = {};
  const conflicts: ConflictField[] = [];
  for (const [field, local] of Object.entries(change.fields)) {
    const now = remote[field] ?? null;
    const base = change.base[field] ?? null;
    if (sameValue(now, local)) continue;
    if (sameValue(now, base)) write[field] = local;
    else conflicts.push({ field, base, local, remote: now });
  }
  return { write, conflicts };
}
