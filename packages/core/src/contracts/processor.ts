import type { FieldSchema, ValidationMode } from './fields.js';

/** A raw record after field mapping: what the store keeps. */
export interface MappedRecord {
  externalId: string;
  data: Record<string, unknown>;
  remoteUpdatedAt?: Date;
  remoteCreatedAt?: Date;
}

export interface ValidationContext {
  crm: string;
  entity: string;
  mode: ValidationMode;
  fields: FieldSchema;
}

export interface ValidationWarning {
  field: string;
  value: unknown;
  recordId: string;
  reason: string;
  /** `Validation warning for field '<f>' with value '<v>' (Record: id=<id>): <why>` */
  message: string;
}

export type ValidationResult =
  | { ok: true; record: MappedRecord; warnings: readonly ValidationWarning[] }
  | { ok: false; errors: ValidationWarning[]; warnings: readonly ValidationWarning[] };

/** raw → mapped → validated. The default implementation is driven by the field schema. */
export interface Processor<Raw = unknown> {
  transform(raw: Raw): MappedRecord;
  validate(record: MappedRecord, context: ValidationContext): ValidationResult;
}

/**
 * A per-entity rule over the whole mapped record (a contact with neither email nor phone;
 * a deal closing before it was created). Returns the problems it found.
 */
export type BusinessRule = (
  record: MappedRecord,
) => Array<{ field: string; reason: string }> | undefined;
