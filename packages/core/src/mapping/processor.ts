import type { EntityDefinition } from '../contracts/plugin.js';
import type { MappedRecord, Processor } from '../contracts/processor.js';
import { CrmsyncError } from '../contracts/errors.js';
import { validateRecord } from '../validation/validate.js';
import { asDate, coerceValue } from './coerce.js';
import { compileRecordBuilder } from './builder.js';
import { compilePath } from './path.js';

/**
 * The processor every entity gets unless it brings its own: each field is read from its
 * `source` dot path (default: its own name) and parsed to its type; the external id comes
 * from `primaryKey`, the remote times from `updatedAtField` / `createdAtField`.
 */
export function createDefaultProcessor<Raw>(
  entity: EntityDefinition<unknown, Raw>,
  crm = 'crm',
): Processor<Raw> {
  // Built in sorted key order, so the record is already in the canonical form its content
  // hash serializes: hashing it copies nothing.
  const build = compileRecordBuilder(
    Object.entries(entity.fields)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, spec]) => ({ name, source: spec.source ?? name, type: spec.type })),
  );
  const keySpec = entity.fields[entity.primaryKey];
  const readKey = compilePath(keySpec?.source ?? entity.primaryKey);
  return {
    transform(raw: Raw): MappedRecord {
      if (raw === null || typeof raw !== 'object') {
        throw new CrmsyncError(
          'data',
          `${crm} ${entity.name}: a record is not an object (got ${raw === null ? 'null' : typeof raw})`,
          {
            crm,
            entity: entity.name,
          },
        );
      }
      const data = build(raw as Record<string, unknown>);
      const key = readKey(raw);
      if (key === null || key === undefined || String(key).trim() === '') {
        const hint = JSON.stringify(raw).slice(0, 160);
        throw new CrmsyncError(
          'data',
          `${crm} ${entity.name}: record has no ${entity.primaryKey} (its key): ${hint}`,
          {
            crm,
            entity: entity.name,
            field: entity.primaryKey,
          },
        );
      }
      const externalId = String(key);
      data[entity.primaryKey] = keySpec ? coerceValue(keySpec.type, key) : externalId;
      const record: MappedRecord = { externalId, data };
      const updated = entity.updatedAtField ? asDate(data[entity.updatedAtField]) : undefined;
      const created = entity.createdAtField ? asDate(data[entity.createdAtField]) : undefined;
      if (updated) record.remoteUpdatedAt = updated;
      if (created) record.remoteCreatedAt = created;
      return record;
    },
    validate(record, context) {
      return validateRecord(record, context, entity.rules);
    },
  };
}
