import {
  createDefaultProcessor,
  type EntityDefinition,
  type EntityWriter,
  type RemoteRecord,
  type WritableField,
  type WritableFields,
  type WriteOutcome,
} from '@crmsync/core';
import type { ZohoClient, ZohoRecord } from '../client.js';
import { moduleSchema, type ZohoField } from '../fields.js';
import { ZOHO_WRITE_BATCH, ZohoWriter } from '../write.js';

/** Zoho data types a local change can set, as the write side's field types. */
const WRITABLE: Record<string, WritableField['type']> = {
  text: 'string',
  textarea: 'text',
  email: 'email',
  phone: 'phone',
  website: 'url',
  picklist: 'picklist',
  multiselectpicklist: 'multipicklist',
  integer: 'integer',
  currency: 'decimal',
  double: 'decimal',
  decimal: 'decimal',
  percent: 'decimal',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
};

function writableField(f: ZohoField): WritableField | undefined {
  const type = WRITABLE[f.data_type];
  if (!type || f.read_only || f.field_read_only) return undefined;
  const field: WritableField = { type, ...(f.field_label && { label: f.field_label }) };
  if (type === 'picklist' || type === 'multipicklist')
    field.options = (f.pick_list_values ?? []).map((p) => p.actual_value);
  if ((type === 'string' || type === 'text') && f.length) field.maxLength = f.length;
  return field;
}

/** Zoho takes a date-time to the second with an offset (`2026-01-31T09:30:00+00:00`). */
const zohoValue = (field: ZohoField | undefined, value: unknown) =>
  field?.data_type === 'datetime' && typeof value === 'string'
    ? new Date(value).toISOString().replace(/\.\d{3}Z$/, '+00:00')
    : value;

/**
 * How a Zoho module is written, on the plugin's write client (`ZohoWriter`): the writable
 * fields are the module's metadata minus read-only and structured (lookup, subform) ones; the
 * re-read is `GET /{Module}?ids=` and the write `PUT /{Module}`, ≤ 100 records, answered per
 * record (`INVALID_DATA` names the field in `details.api_name`).
 */
export function moduleWriter(
  entity: EntityDefinition<ZohoClient, ZohoRecord>,
  module: string,
): EntityWriter<ZohoClient> {
  // One processor per fields metadata (a client reads it once): building one per batch was
  // CPU spent on every re-read of a push.
  const processors = new WeakMap<readonly ZohoField[], ReturnType<typeof buildProcessor>>();
  const processorFor = (meta: readonly ZohoField[]) => {
    let processor = processors.get(meta);
    if (!processor) {
      processor = buildProcessor(meta);
      processors.set(meta, processor);
    }
    return processor;
  };
  const buildProcessor = (meta: readonly ZohoField[]) =>
    createDefaultProcessor(
      { ...entity, fields: { ...entity.fields, ...moduleSchema(meta) } } as EntityDefinition<
        unknown,
        ZohoRecord
      >,
      'zoho',
    );
  return {
    batchSize: ZOHO_WRITE_BATCH,
    // Zoho caps calls in flight per org (the edition's cap), not calls per window.
    concurrency: (client) => client.options.concurrency,
    async writableFields(client, signal) {
      const fields: WritableFields = {};
      for (const f of await client.fields(module, signal)) {
        const w = writableField(f);
        if (w) fields[f.api_name] = w;
      }
      return fields;
    },
    async read(client, ids, signal) {
      const processor = processorFor(await client.fields(module, signal));
      const raws = await new ZohoWriter(client).fetchByIds(module, ids, { signal });
      return raws.map((raw): RemoteRecord => {
        const mapped = processor.transform(raw);
        return {
          id: mapped.externalId,
          data: mapped.data,
          modifiedAt: mapped.remoteUpdatedAt ?? null,
        };
      });
    },
    async write(client, updates, signal) {
      const meta = new Map((await client.fields(module, signal)).map((f) => [f.api_name, f]));
      const results = await new ZohoWriter(client).update(
        module,
        updates.map((u) => ({
          id: u.id,
          ...Object.fromEntries(
            Object.entries(u.fields).map(([k, v]) => [k, zohoValue(meta.get(k), v)]),
          ),
        })),
        { signal },
      );
      return results.map((r): WriteOutcome => {
        if (r.status === 'success') {
          const at = r.modifiedTime ? new Date(r.modifiedTime) : null;
          return {
            id: r.id,
            ok: true,
            record: {
              id: r.id,
              data: at ? { Modified_Time: at.toISOString() } : {},
              modifiedAt: at,
            },
          };
        }
        return {
          id: r.id,
          ok: false,
          reason: `${r.code}: ${r.message}`,
          ...(r.apiName && { field: r.apiName }),
        };
      });
    },
  };
}

/** The module's entity, writable (the plugin's entities are made through this). */
export function writableModule<E extends EntityDefinition<ZohoClient, ZohoRecord>>(
  entity: E,
  module: string,
): E {
  entity.write = moduleWriter(entity, module);
  return entity;
}
