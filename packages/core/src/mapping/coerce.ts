import type { FieldType } from '../contracts/fields.js';

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Text that is already what `Date#toISOString` prints, for a moment that cannot roll over
 * (a day the month lacks or hour 24 would: `2026-02-30` parses as March 2nd). Most CRMs send
 * exactly this, so the common case needs no Date at all.
 */
export const CANONICAL_ISO =
  /^\d{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string' && value.trim() !== '') {
    const text = value.trim();
    // HubSpot and others send epoch milliseconds as strings.
    if (/^\d{11,14}$/.test(text)) return new Date(Number(text));
    const d = new Date(text);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

/**
 * Parses a raw value into the field's type for storage: numbers from numeric strings,
 * booleans from 'true'/'false', dates as ISO strings. A value that does not parse is kept
 * as it came, so lenient validation can warn about it without losing it.
 */
export function coerceValue(type: FieldType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && value === '' && type !== 'string' && type !== 'text')
    return null;
  switch (type) {
    case 'decimal':
    case 'integer':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && NUMERIC.test(value.trim())) return Number(value.trim());
      return value;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === '1' || value === 1) return true;
      if (value === 'false' || value === '0' || value === 0) return false;
      return value;
    case 'date': {
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
      const d = toDate(value);
      return d ? d.toISOString().slice(0, 10) : value;
    }
    case 'datetime': {
      if (typeof value === 'string' && value.length === 24 && CANONICAL_ISO.test(value))
        return value;
      const d = toDate(value);
      return d ? d.toISOString() : value;
    }
    case 'object_id':
      return typeof value === 'number' ? String(value) : value;
    case 'json':
      return value;
    default:
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  }
}

export function asDate(value: unknown): Date | undefined {
  return toDate(value);
}
