import type { FieldSchema, FieldSpec, FieldType } from '@crmsync/core';
import { z } from 'zod';

/** One field of `GET /crm/v8/settings/fields?module=…`, the members crmsync reads. */
export const zohoFieldSchema = z.object({
  api_name: z.string(),
  data_type: z.string(),
  field_label: z.string().optional(),
  length: z.number().nullish(),
  custom_field: z.boolean().optional(),
  read_only: z.boolean().optional(),
  field_read_only: z.boolean().optional(),
  system_mandatory: z.boolean().optional(),
  pick_list_values: z
    .array(z.object({ actual_value: z.string(), display_value: z.string().optional() }))
    .nullish(),
});
export type ZohoField = z.infer<typeof zohoFieldSchema>;
export const fieldsResponseSchema = z.object({ fields: z.array(zohoFieldSchema) });

/** Zoho data types that `GET /crm/v8/{Module}` cannot list in `fields` (or lists as files). */
const UNLISTABLE = new Set([
  'subform',
  'fileupload',
  'imageupload',
  'profileimage',
  'multiselectlookup',
  'multiuserlookup',
  'rollup_summary',
  'formula',
]);

const TYPE: Record<string, FieldType> = {
  text: 'string',
  textarea: 'text',
  email: 'email',
  phone: 'string',
  website: 'url',
  picklist: 'string',
  autonumber: 'string',
  integer: 'integer',
  bigint: 'string',
  currency: 'decimal',
  double: 'decimal',
  decimal: 'decimal',
  percent: 'decimal',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
};

export const isListable = (field: ZohoField) => !UNLISTABLE.has(field.data_type);

/**
 * The stored column of a Zoho field: its API name, typed from `data_type` (lookups, owners and
 * multi-select picklists kept as JSON). Phones stay strings: Zoho stores them as typed.
 */
export function fieldSpec(field: ZohoField): FieldSpec {
  const type = TYPE[field.data_type] ?? 'json';
  const spec: FieldSpec = { type };
  if ((type === 'string' || type === 'text') && field.length) spec.maxLength = field.length;
  if (field.field_label) spec.description = field.field_label;
  return spec;
}

/** The schema of a module from its metadata, listable fields only, `id` first. */
export function moduleSchema(fields: readonly ZohoField[]): FieldSchema {
  const schema: FieldSchema = { id: { type: 'string', required: true } };
  for (const f of fields) if (isListable(f)) schema[f.api_name] = fieldSpec(f);
  return schema;
}

const DATE = /^\d{4}-\d\d-\d\d$/;
const DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * What is wrong with `value` for `field`, in words naming what the field expects; undefined
 * when Zoho would take it. Checked before anything is sent (types, picklist values, length,
 * read-only and mandatory fields).
 */
export function valueProblem(field: ZohoField, value: unknown): string | undefined {
  if (field.read_only || field.field_read_only) return 'is read-only';
  if (value === null || value === '')
    return field.system_mandatory ? 'is mandatory and cannot be emptied' : undefined;
  const picklist = (field.pick_list_values ?? []).map((p) => p.actual_value);
  switch (field.data_type) {
    case 'text':
    case 'textarea':
    case 'phone':
    case 'website':
    case 'email':
      if (typeof value !== 'string')
        return `expects text (${field.data_type}), got ${typeof value}`;
      if (field.length && value.length > field.length)
        return `expects at most ${field.length} characters, got ${value.length}`;
      if (field.data_type === 'email' && !EMAIL.test(value)) return 'expects an email address';
      return undefined;
    case 'picklist':
      return typeof value === 'string' && picklist.includes(value)
        ? undefined
        : `expects one of ${picklist.map((p) => JSON.stringify(p)).join(', ')}`;
    case 'multiselectpicklist':
      return Array.isArray(value) && value.every((v) => picklist.includes(v))
        ? undefined
        : `expects a list of ${picklist.map((p) => JSON.stringify(p)).join(', ')}`;
    case 'integer':
      return Number.isInteger(value) ? undefined : 'expects a whole number';
    case 'bigint':
      return Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value))
        ? undefined
        : 'expects a whole number';
    case 'currency':
    case 'double':
    case 'decimal':
    case 'percent':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'expects a number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expects true or false';
    case 'date':
      return typeof value === 'string' && DATE.test(value)
        ? undefined
        : 'expects a date YYYY-MM-DD';
    case 'datetime':
      return typeof value === 'string' && DATETIME.test(value)
        ? undefined
        : 'expects a date-time like 2026-01-31T09:30:00+00:00';
    case 'lookup':
    case 'ownerlookup':
      return (typeof value === 'string' && /^\d+$/.test(value)) ||
        (value !== null &&
          typeof value === 'object' &&
          typeof (value as { id?: unknown }).id === 'string')
        ? undefined
        : 'expects a record id or {id}';
    default:
      return undefined;
  }
}
