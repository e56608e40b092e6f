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

/** Why `value` does not fit `spec`, or null when it does. `value` has been coerced already. */
export function checkField(spec: FieldSpec, value: unknown): string | null {
  if (value === null || value === undefined || value === '') {
    return spec.required ? 'a value is required' : null;
  }
  switch (spec.type) {
    case 'string':
    case 'text':
      if (typeof value !== 'string') return `expected text, got ${typeof value}`;
      if (spec.maxLength !== undefined && value.length > spec.maxLength)
        return `longer than ${spec.maxLength} characters`;
      return null;
    case 'email':
      return typeof value === 'string' && EMAIL.test(value.trim())
        ? null
        : 'not a valid email address';
    case 'phone': {
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
    case 'url':
      return typeof value === 'string' && url.safeParse(value.trim()).success
        ? null
        : 'not a valid http(s) URL';
    case 'date':
      // Round-trip, so a day that does not exist (2026-02-30) is refused, not rolled over.
      return typeof value === 'string' &&
        DAY.test(value) &&
        !Number.isNaN(Date.parse(value)) &&
        new Date(value).toISOString().slice(0, 10) === value
        ? null
        : 'expected a date (YYYY-MM-DD)';
    case 'datetime':
      return typeof value === 'string' &&
        (CANONICAL_ISO.test(value) || !Number.isNaN(Date.parse(value)))
        ? null
        : 'expected a date-time';
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'expected a number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value)
        ? null
        : 'expected a whole number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'expected true or false';
    case 'zip_code':
      return typeof value === 'string' && ZIP.test(value.trim())
        ? null
        : 'expected a US ZIP code (12345 or 12345-6789)';
    case 'state':
      return typeof value === 'string' && US_STATES.has(value.trim().toUpperCase())
        ? null
        : 'expected a two-letter US state code';
    case 'object_id':
      return (typeof value === 'string' || typeof value === 'number') &&
        NO_SPACE.test(String(value))
        ? null
        : 'expected an id without spaces';
    case 'json':
      return null;
  }
}
