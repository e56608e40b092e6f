import type {
  BusinessRule,
  MappedRecord,
  ValidationContext,
  ValidationResult,
  ValidationWarning,
} from '../contracts/processor.js';
import { fieldChecker } from './field-checks.js';

/** The warnings of a record without any (most of them): one shared, frozen list. */
const NO_WARNINGS: readonly ValidationWarning[] = Object.freeze([]);

/** Each field map's checks, made once rather than once per record. */
const checksCache = new WeakMap<
  ValidationContext['fields'],
  [string, ReturnType<typeof fieldChecker>][]
>();
function checksOf(fields: ValidationContext['fields']) {
  let checks = checksCache.get(fields);
  if (!checks) {
    checks = Object.entries(fields).map(([field, spec]) => [field, fieldChecker(spec)]);
    checksCache.set(fields, checks);
  }
  return checks;
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
  const { data, externalId } = record;
  for (const [field, check] of checksOf(context.fields)) {
    const value = data[field];
    const reason = check(value);
    if (!reason) continue;
    problems ??= [];
    problems.push(validationWarning(field, value, externalId, reason));
  }
  for (const rule of rules) {
    for (const p of rule(record) ?? []) {
      problems ??= [];
      problems.push(validationWarning(p.field, data[p.field], externalId, p.reason));
    }
  }
  if (context.mode === 'strict' && problems)
    return { ok: false, errors: problems, warnings: NO_WARNINGS };
  return { ok: true, record, warnings: problems ?? NO_WARNINGS };
}
