import { InputError } from '../contracts/errors.js';
import type { WritableField, WritableFields } from '../contracts/write.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

function expected(field: WritableField): string {
  switch (field.type) {
    case 'picklist':
      return `one of ${(field.options ?? []).join(', ')}`;
    case 'multipicklist':
      return `a list of ${(field.options ?? []).join(', ')} (separated by ;)`;
    case 'integer':
      return 'an integer';
    case 'decimal':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'date':
      return 'a date (YYYY-MM-DD)';
    case 'datetime':
      return 'a date and time (ISO 8601)';
    case 'email':
      return 'an email address';
    default:
      return field.maxLength ? `text of at most ${field.maxLength} characters` : 'text';
  }
}

/**
 * A value for a field as the CRM's metadata describes it, parsed from what a person typed
 * (the CLI's `Field=value` text) or sent (GraphQL JSON): refused with an `InputError` naming
 * the field and what it expects. An empty value clears the field (null).
 */
export function parseFieldValue(name: string, field: WritableField, raw: unknown): unknown {
  if (raw === null || raw === undefined || raw === '') return null;
  const fail = (): never => {
    throw new InputError(name, expected(field), raw);
  };
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (field.type) {
    case 'integer': {
      const n = typeof text === 'number' ? text : Number(text);
      return Number.isInteger(n) && (typeof text === 'number' || /^-?\d+$/.test(String(text)))
        ? n
        : fail();
    }
    case 'decimal': {
      const n = typeof text === 'number' ? text : Number(text);
      return Number.isFinite(n) && String(text).trim() !== '' ? n : fail();
    }
    case 'boolean': {
      if (typeof text === 'boolean') return text;
      const s = String(text).toLowerCase();
      return TRUE.has(s) ? true : FALSE.has(s) ? false : fail();
    }
    case 'date':
      return typeof text === 'string' &&
        DATE.test(text) &&
        !Number.isNaN(Date.parse(`${text}T00:00:00Z`))
        ? text
        : fail();
    case 'datetime': {
      const ms = typeof text === 'string' ? Date.parse(text) : Number.NaN;
      return Number.isNaN(ms) ? fail() : new Date(ms).toISOString();
    }
    case 'picklist':
      return typeof text === 'string' && (field.options ?? []).includes(text) ? text : fail();
    case 'multipicklist': {
      const list = Array.isArray(text)
        ? text
        : typeof text === 'string'
          ? text.split(';').map((s) => s.trim())
          : fail();
      return list.every((v) => typeof v === 'string' && (field.options ?? []).includes(v))
        ? list
        : fail();
    }
    case 'email':
      return typeof text === 'string' && EMAIL.test(text) ? text : fail();
    default: {
      if (typeof text !== 'string' && typeof text !== 'number') return fail();
      const s = String(text);
      return field.maxLength !== undefined && s.length > field.maxLength ? fail() : s;
    }
  }
}

/** Parses a set of field values against the writable fields; unknown or read-only fields are refused. */
export function parseFieldValues(
  writable: WritableFields,
  values: Record<string, unknown>,
  where: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names = Object.keys(values);
  if (names.length === 0) throw new InputError('fields', 'at least one Field=value');
  for (const name of names) {
    const field = writable[name];
    if (!field)
      throw new InputError(
        name,
        `a writable field of ${where} (${Object.keys(writable).sort().join(', ')})`,
        values[name],
      );
    out[name] = parseFieldValue(name, field, values[name]);
  }
  return out;
}

function normal(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    const s = value.trim();
    if (s === '') return null;
    if (/^-?\d+(\.\d+)?$/.test(s)) return String(Number(s));
    if (/^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)))
      return new Date(s).toISOString();
    return s;
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return JSON.stringify(value.map(normal));
  return JSON.stringify(value);
}

/**
 * Whether two values of a field are the same value, whichever side holds them: CRMs send
 * numbers, booleans and times as text (HubSpot's every property is a string), so `"12.50"`
 * and `12.5`, `"true"` and `true`, two spellings of one instant, and null and `""` are equal.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  return normal(a) === normal(b);
}
