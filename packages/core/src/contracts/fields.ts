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
}

/** Mapped field name → spec. Order is the column order shown in the dashboard. */
export type FieldSchema = Record<string, FieldSpec>;

export type ValidationMode = 'lenient' | 'strict' | 'skip';
