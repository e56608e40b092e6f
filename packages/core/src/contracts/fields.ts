export type FieldType =
  | 'string'
  | 'text'
  | 'email'
  | 'phone'
  | 'url'
  | 'date'
  | 'datetime'
  | 'decimal'
  | 'integer'
  | 'boolean'
  | 'zip_code'
  | 'state'
  | 'object_id'
  | 'json';

export interface FieldSpec {
  type: FieldType;
  /** Dot path in the raw record (`properties.email`); defaults to the field's own name. */
  source?: string;
  required?: boolean;
  description?: string;
  /** Maximum length for strings. */
  maxLength?: number;
  /**
   * The store keeps an index on this field (an expression index on the record's JSON, typed
   * by `type`), so the data browser filters and sorts on it without reading every record.
   * Declare it on the few fields people page, filter or sort large entities by (a status, an
   * update time, an owner): each index costs space and time on every write of the entity.
   */
  indexed?: boolean;
}

/** Mapped field name → spec. Order is the column order shown in the dashboard. */
export type FieldSchema = Record<string, FieldSpec>;

export type ValidationMode = 'lenient' | 'strict' | 'skip';

/** The names of a schema's fields declared `indexed`, in schema order. */
export function indexedFields(fields: FieldSchema): string[] {
  return Object.entries(fields)
    .filter(([, spec]) => spec.indexed === true)
    .map(([name]) => name);
}
