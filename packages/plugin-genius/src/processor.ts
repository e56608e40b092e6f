import {
  asDate,
  type BusinessRule,
  CrmsyncError,
  coerceValue,
  type FieldSchema,
  type MappedRecord,
  type Processor,
  type ValidationContext,
  validateRecord,
} from '@crmsync/core';
import type { GeniusRow } from './client.js';

const NUMERIC_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)$/;

export interface GeniusProcessorSpec {
  name: string;
  key: string;
  fields: FieldSchema;
  deltaColumn?: string;
  deltaFallback?: string;
}

/**
 * A Genius row kept whole: every column the table has travels in the record's data, declared
 * or not (the client read them from information_schema). Values stay as the client typed
 * them — DATETIMEs as ISO instants, DATEs and TIMEs as written, DECIMALs as text — except
 * TINYINT flags declared boolean. A declared column the table lacks is left out (the client
 * warns once per read), not stored as null. The remote update time falls back to
 * `deltaFallback` (`lead.added_on`) for rows never updated.
 */
export function geniusProcessor(spec: GeniusProcessorSpec): Processor<GeniusRow> {
  const booleans = Object.entries(spec.fields)
    .filter(([, f]) => f.type === 'boolean')
    .map(([n]) => n);
  const decimals = Object.entries(spec.fields)
    .filter(([, f]) => f.type === 'decimal')
    .map(([n]) => n);
  // DECIMALs are checked as numeric text, not as numbers: the schema's other checks stand.
  const checked: FieldSchema = Object.fromEntries(
    Object.entries(spec.fields).map(([n, f]) => [
      n,
      f.type === 'decimal' ? { ...f, type: 'string' as const } : f,
    ]),
  );
  const decimalText: BusinessRule = (record) => {
    let problems: Array<{ field: string; reason: string }> | undefined;
    for (const name of decimals) {
      const value = record.data[name];
      if (value === null || value === undefined) continue;
      if (typeof value === 'string' && NUMERIC_TEXT.test(value)) continue;
      problems ??= [];
      problems.push({ field: name, reason: 'expected a decimal number as text (e.g. 1234.50)' });
    }
    return problems;
  };
  const rules = decimals.length > 0 ? [decimalText] : [];
  const { key, deltaColumn, deltaFallback } = spec;
  // The run's context with the checked fields, made once per run rather than per record.
  const contexts = new WeakMap<ValidationContext, ValidationContext>();
  return {
    transform(raw) {
      const value = raw[key];
      if (value === null || value === undefined || String(value).trim() === '') {
        throw new CrmsyncError(
          'data',
          `genius ${spec.name}: row has no ${key} (its key): ${JSON.stringify(raw).slice(0, 160)}`,
          { crm: 'genius', entity: spec.name, field: key },
        );
      }
      for (const name of booleans) {
        if (name in raw) raw[name] = coerceValue('boolean', raw[name]);
      }
      const record: MappedRecord = { externalId: String(value), data: raw };
      const updated = deltaColumn
        ? asDate(raw[deltaColumn] ?? (deltaFallback ? raw[deltaFallback] : undefined))
        : undefined;
      if (updated) record.remoteUpdatedAt = updated;
      return record;
    },
    validate(record, context) {
      let mine = contexts.get(context);
      if (!mine) {
        mine = { ...context, fields: checked };
        contexts.set(context, mine);
      }
      return validateRecord(record, mine, rules);
    },
  };
}
