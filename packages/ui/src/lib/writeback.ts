// Two-way sync in the dashboard: the wire types of writable fields and the conversion between
// what an input holds and the value `updateRecord` / `massUpdate` are sent.
import type {
  ConflictsQuery,
  MassUpdateProgressSubscription,
  RecordSyncStatus,
  WritableFieldsQuery,
} from './generated/graphql';

export type WritableFieldInfo = NonNullable<
  WritableFieldsQuery['entity']
>['writableFields'][number];
export type SyncStatus = RecordSyncStatus;
export type ConflictRow = ConflictsQuery['conflicts']['edges'][number]['node'];
export type MassProgress = MassUpdateProgressSubscription['massUpdateProgress'];

export const SYNC_STATUSES: readonly SyncStatus[] = ['synced', 'pending', 'conflict', 'rejected'];

/** What an input of this field holds: a checkbox's boolean, otherwise its text. */
export type InputValue = string | boolean;

/** The value shown in a field's input, from the stored record's value. */
export function toInput(field: WritableFieldInfo, value: unknown): InputValue {
  if (field.type === 'boolean') return value === true || value === 'true';
  if (value === null || value === undefined) return '';
  if (field.type === 'date' && typeof value === 'string') return value.slice(0, 10);
  if (field.type === 'datetime' && typeof value === 'string') {
    const ms = Date.parse(value);
    // datetime-local holds local wall-clock time without a zone.
    if (!Number.isNaN(ms)) {
      const d = new Date(ms);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    }
  }
  if (field.type === 'multipicklist' && Array.isArray(value)) return value.join('; ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The value sent for an input: numbers and text go as typed (the server checks them against
 * the field's type and answers a FieldError naming what it expects), a datetime-local as an
 * ISO instant, an empty input as null (clears the field).
 */
export function fromInput(field: WritableFieldInfo, input: InputValue): unknown {
  if (typeof input === 'boolean') return input;
  if (input.trim() === '') return null;
  if (field.type === 'datetime' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(input)) {
    const ms = Date.parse(input);
    return Number.isNaN(ms) ? input : new Date(ms).toISOString();
  }
  return input;
}

/** The HTML input type for a field (picklists and booleans get their own controls). */
export function inputType(field: WritableFieldInfo): string {
  switch (field.type) {
    case 'integer':
    case 'decimal':
      return 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime-local';
    case 'email':
      return 'email';
    case 'url':
      return 'url';
    case 'phone':
      return 'tel';
    default:
      return 'text';
  }
}

/** A value of a conflict's side, as text. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
