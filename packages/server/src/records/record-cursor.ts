import { InputError } from '@crmsync/core';

/** A keyset cursor: the sort value and external_id of a page's last row, as base64url JSON. */
export function encodeCursor(value: unknown, id: string): string {
  const v =
    value instanceof Date
      ? { d: value.toISOString() }
      : typeof value === 'bigint'
        ? Number(value)
        : value;
  return Buffer.from(JSON.stringify([v, id])).toString('base64url');
}

export function decodeCursor(
  cursor: string,
  field: 'after' | 'before' = 'after',
): [unknown, string] {
  try {
    const [v, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown];
    if (typeof id !== 'string') throw new Error('bad id');
    const value = v !== null && typeof v === 'object' && 'd' in v ? new Date(String(v.d)) : v;
    // Only what encodeCursor writes: anything else would reach the database as a parameter.
    const plain = value === null || typeof value === 'string' || Number.isFinite(value);
    if (!plain && !(value instanceof Date && Number.isFinite(value.getTime())))
      throw new Error('bad value');
    return [value, id];
  } catch {
    throw new InputError(field, 'a cursor returned by a previous page of the same query', cursor);
  }
}
