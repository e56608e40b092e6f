import { randomBytes } from 'node:crypto';
import type { LocalChange, NewLocalChange } from '../contracts/local-changes.js';
import type { ChangeState } from '../contracts/write.js';

/** States in which a new edit of the same record joins the existing change. */
export const OPEN_CHANGE_STATES: readonly ChangeState[] = ['pending', 'rejected'];

let lastMs = 0;
let seq = 0;

/**
 * Ids that sort in creation order (time, then a per-process sequence, then randomness), so
 * `after` pages and "oldest first" are one index on every store.
 */
export function newChangeId(now = Date.now()): string {
  if (now === lastMs) seq++;
  else {
    lastMs = now;
    seq = 0;
  }
  return `${now.toString(36).padStart(9, '0')}${seq.toString(36).padStart(4, '0')}${randomBytes(5).toString('hex')}`;
}

/**
 * A new edit of a record that already has an open change: the new values win, and a field
 * changed again keeps the base it was first changed from (the merge compares the CRM with what
 * it held before any of our edits). The change goes back to `pending`.
 */
export function mergeIntoChange(
  existing: LocalChange,
  incoming: NewLocalChange,
): Pick<LocalChange, 'fields' | 'base' | 'author' | 'state' | 'reason'> {
  const base = { ...existing.base };
  for (const [field, value] of Object.entries(incoming.base))
    if (!(field in existing.fields)) base[field] = value;
  return {
    fields: { ...existing.fields, ...incoming.fields },
    base,
    author: incoming.author,
    state: 'pending',
    reason: null,
  };
}

export const recordKey = (c: { crmSource: string; entity: string; recordId: string }) =>
  `${c.crmSource}\u0000${c.entity}\u0000${c.recordId}`;
