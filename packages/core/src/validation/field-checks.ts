import { z } from 'zod';
import type { FieldSpec } from '../contracts/fields.js';
import { CANONICAL_ISO } from '../mapping/coerce.js';

const US_STATES = new Set(
  'AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR VI GU AS MP'.split(
    ' ',
  ),
);
// z.email()'s own pattern, tested directly: safeParse would build a result object per record.
const EMAIL = z.regexes.email;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ZIP = /^\d{5}(-\d{4})?$/;
const NO_SPACE = /^\S+$/;
const PHONE_CHARS = /[^\d\s+().\-x#ext]/i;
const EXTENSION = /ext|x|#/i;
const url = z.url({ protocol: /^https?$/ });

type Check = (value: unknown) => string | null;

function phone(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return 'not a phone number';
  const text = String(value);
  if (PHONE_CHARS.test(text)) return 'not a phone number (unexpected characters)';
  // Digits before any extension (ext, x or #), counted without building new strings.
  const extension = text.search(EXTENSION);
  const end = extension < 0 ? text.length : extension;
  let digits = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  return digits >= 7 && digits <= 15 ? null : 'expected 7 to 15 digits';
}

/** The check of one type, for a value that is present (not null, undefined or ''). */
function typeCheck(spec: FieldSpec): Check {
  switch (spec.type) {
    case 'string':
    case 'text': {
      const max = spec.maxLength;
      return (value) => {
        if (typeof value !== 'string') return `expected text, got ${typeof value}`;
        if (max !== undefined && value.length > max) return `longer than ${max} characters`;
        return null;
      };
    }
    case 'email':
      return (value) =>
        typeof value === 'string' && EMAIL.test(value.trim()) ? null : 'not a valid email address';
    case 'phone':
      return phone;
    case 'url':
      return (value) =>
        typeof value === 'string' && url.safeParse(value.trim()).success
          ? null
          : 'not a valid http(s) URL';
    case 'date':
      // Round-trip, so a day that does not exist (2026-02-30) is refused, not rolled over.
      return (value) =>
        typeof value === 'string' &&
        DAY.test(value) &&
        !Number.isNaN(Date.parse(value)) &&
        new Date(value).toISOString().slice(0, 10) === value
          ? null
          : 'expected a date (YYYY-MM-DD)';
    case 'datetime':
      return (value) =>
        typeof value === 'string' && (CANONICAL_ISO.test(value) || !Number.isNaN(Date.parse(value)))
          ? null
          : 'expected a date-time';
    case 'decimal':
      return (value) =>
        typeof value === 'number' && Number.isFinite(value) ? null : 'expected a number';
    case 'integer':
      return (value) =>
        typeof value === 'number' && Number.isInteger(value) ? null : 'expected a whole number';
    case 'boolean':
      return (value) => (typeof value === 'boolean' ? null : 'expected true or false');
    case 'zip_code':
      return (value) =>
        typeof value === 'string' && ZIP.test(value.trim())
          ? null
          : 'expected a US ZIP code (12345 or 12345-6789)';
    case 'state':
      return (value) =>
        typeof value === 'string' &&
        (US_STATES.has(value) || US_STATES.has(value.trim().toUpperCase()))
          ? null
          : 'expected a two-letter US state code';
    case 'object_id':
      return (value) =>
        (typeof value === 'string' || typeof value === 'number') && NO_SPACE.test(String(value))
          ? null
          : 'expected an id without spaces';
    case 'json':
      return () => null;
  }
}

const checkers = new WeakMap<FieldSpec, Check>();

/**
 * The check of one field, made once per field spec: why a (coerced) value does not fit it,
 * or null when it does. Validation runs it for every field of every record, so the type is
 * decided here, once, not per value.
 */
export function fieldChecker(spec: FieldSpec): Check {
  let check = checkers.get(spec);
  if (!check) {
    const present = typeCheck(spec);
    const missing = spec.required ? 'a value is required' : null;
    check = (value) =>
      value === null || value === undefined || value === '' ? missing : present(value);
    checkers.set(spec, check);
  }
  return check;
}

/** Why `value` does not fit `spec`, or null when it does. `value` has been coerced already. */
export function checkField(spec: FieldSpec, value: unknown): string | null {
  return fieldChecker(spec)(value);
}
