import type { FieldSpec } from '../contracts/fields.js';
import type {
  BusinessRule,
  MappedRecord,
  ValidationContext,
  ValidationResult,
  ValidationWarning,
} from '../contracts/processor.js';
import { checkField } from './field-checks.js';

/** The warnings of a record without any (most of them): one shared, frozen list. */
const NO_WARNINGS: readonly ValidationWarning[] = Object.freeze([]);

/** Each field map's entries, listed once rather than once per record. */
const entryCache = new WeakMap<ValidationContext['fields'], [string, FieldSpec][]>();
function entriesOf(fields: ValidationContext['fields']): [string, FieldSpec][] {
  let entries = entryCache.get(fields);
  if (!entries) {
    entries = Object.entries(fields);
    entryCache.set(fields, entries);
  }
  return entries;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** `Validation warning for field '<f>' with value '<v>' (Record: id=<id>): <why>` */
export function validationWarning(
  field: string,
  value: unknown,
  recordId: string,
  reason: string,
): ValidationWarning {
  return {
    field,
    value,
    recordId,
    reason,
    message: `Validation warning for field '${field}' with value '${show(value)}' (Record: id=${recordId}): ${reason}`,
  };
}

/**
 * Checks a mapped record against the field schema and the entity's business rules.
 * Lenient (default): problems are warnings and the record keeps its original values.
 * Strict: any problem fails the record (the run goes on). Skip: no checks.
 */
export function validateRecord(
  record: MappedRecord,
  context: ValidationContext,
  rules: readonly BusinessRule[] = [],
): ValidationResult {
  if (context.mode === 'skip') return { ok: true, record, warnings: NO_WARNINGS };
  // Most records have no problem: the list is made only for one that does.
  let problems: ValidationWarning[] | null = null;
  const add = (problem: ValidationWarning) => {
    if (problems) problems.push(problem);
    else problems = [problem];
  };
  for (const [field, spec] of entriesOf(context.fields)) {
    const value = record.data[field];
    const reason = checkField(spec, value);
    if (reason) add(validationWarning(field, value, record.externalId, reason));
  }
  for (const rule of rules) {
    for (const p of rule(record) ?? []) {
      add(validationWarning(p.field, record.data[p.field], record.externalId, p.reason));
    }
  }
  if (context.mode === 'strict' && problems)
    return { ok: false, errors: problems, warnings: NO_WARNINGS };
  return { ok: true, record, warnings: problems ?? NO_WARNINGS };
}
