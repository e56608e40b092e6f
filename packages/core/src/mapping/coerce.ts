import type { FieldType } from '../contracts/fields.js';

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const EPOCH_MS = /^\d{11,14}$/;
/**
 * Text that is already what `Date#toISOString` prints, for a moment that cannot roll over
 * (a day the month lacks or hour 24 would: `2026-02-30` parses as March 2nd; 29 February is
 * left to the date parser). Most CRMs send exactly this. A regular expression, compiled to
 * machine code, is the cheapest test of it (measured against reading the characters).
 */
export const CANONICAL_ISO =
  /^\d{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** The number written by the (checked) digits `text[at…at+length)`. */
function digits(text: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) n = n * 10 + text.charCodeAt(i) - 48;
  return n;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * The moment a CANONICAL_ISO text names, in epoch milliseconds, computed from its digits
 * rather than by the date parser (several times cheaper, and syncs read two per record);
 * NaN for any other text, which then takes the general parse.
 */
export function canonicalIsoTime(text: string): number {
  if (text.length !== 24 || !CANONICAL_ISO.test(text)) return Number.NaN;
  const days = daysFromCivil(digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2));
  return (
    days * 86_400_000 +
    digits(text, 11, 2) * 3_600_000 +
    digits(text, 14, 2) * 60_000 +
    digits(text, 17, 2) * 1_000 +
    digits(text, 20, 3)
  );
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string') {
    const canonical = canonicalIsoTime(value);
    if (!Number.isNaN(canonical)) return new Date(canonical);
    const text = value.trim();
    if (text === '') return undefined;
    // HubSpot and others send epoch milliseconds as strings.
    if (EPOCH_MS.test(text)) return new Date(Number(text));
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
      if (typeof value === 'string' && DAY.test(value)) return value;
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
