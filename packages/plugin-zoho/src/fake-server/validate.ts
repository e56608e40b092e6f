import type { FakeFieldMeta } from './data.js';
import { zohoError } from './errors.js';

const DATE = /^\d{4}-\d\d-\d\d$/;
const DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * How the fake refuses one value of a written record, as Zoho answers it per record:
 * `INVALID_DATA` with `details.api_name` (and `expected_data_type` or `maximum_length`), or
 * `MANDATORY_NOT_FOUND` for an emptied mandatory field. `undefined` when the value fits.
 */
export function refuseValue(
  field: FakeFieldMeta,
  value: unknown,
): ReturnType<typeof zohoError> | undefined {
  const invalid = (extra: Record<string, unknown>) =>
    zohoError('INVALID_DATA', 'invalid data', { api_name: field.api_name, ...extra });
  if (value === null || value === '') {
    return field.system_mandatory
      ? zohoError('MANDATORY_NOT_FOUND', 'required field not found', { api_name: field.api_name })
      : undefined;
  }
  const expected = { expected_data_type: field.data_type };
  switch (field.data_type) {
    case 'text':
    case 'textarea':
    case 'phone':
    case 'website':
    case 'email':
    case 'autonumber':
      if (typeof value !== 'string') return invalid(expected);
      if (field.length !== undefined && value.length > field.length)
        return invalid({ maximum_length: String(field.length) });
      if (field.data_type === 'email' && !EMAIL.test(value)) return invalid(expected);
      return undefined;
    case 'picklist':
      return typeof value === 'string' &&
        (field.pick_list_values ?? []).some((p) => p.actual_value === value)
        ? undefined
        : invalid(expected);
    case 'multiselectpicklist':
      return Array.isArray(value) &&
        value.every((v) => (field.pick_list_values ?? []).some((p) => p.actual_value === v))
        ? undefined
        : invalid(expected);
    case 'integer':
      return Number.isInteger(value) ? undefined : invalid(expected);
    case 'bigint':
      return Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value))
        ? undefined
        : invalid(expected);
    case 'currency':
    case 'double':
    case 'percent':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : invalid(expected);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : invalid(expected);
    case 'date':
      return typeof value === 'string' && DATE.test(value) ? undefined : invalid(expected);
    case 'datetime':
      return typeof value === 'string' && DATETIME.test(value) ? undefined : invalid(expected);
    case 'lookup':
    case 'ownerlookup':
      return (typeof value === 'string' && /^\d+$/.test(value)) ||
        (typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string')
        ? undefined
        : invalid(expected);
    default:
      return undefined;
  }
}
