import {
  createDefaultProcessor,
  type EntityDefinition,
  type EntityWriter,
  type RecordUpdate,
  type RemoteRecord,
  type WritableField,
  type WritableFields,
  type WriteOutcome,
} from '@crmsync/core';
import type { HubspotClient, HubspotObject } from '../client.js';

/** HubSpot's batch endpoints take at most 100 inputs. */
const BATCH = 100;

interface PropertyDefinition {
  name: string;
  label?: string;
  type: string;
  fieldType?: string;
  options?: Array<{ value: string; hidden?: boolean }>;
  calculated?: boolean;
  modificationMetadata?: { readOnlyValue?: boolean };
}

interface BatchAnswer {
  results?: HubspotObject[];
  errors?: Array<{ message?: string; category?: string; context?: Record<string, string[]> }>;
}

/** A HubSpot property's type as a writable field (enumerations are picklists; checkboxes multi). */
function writableField(def: PropertyDefinition, mappedType: string): WritableField {
  const options = (def.options ?? []).filter((o) => !o.hidden).map((o) => o.value);
  const label = def.label ?? def.name;
  switch (def.type) {
    case 'enumeration':
      if (def.fieldType === 'booleancheckbox') return { type: 'boolean', label };
      return { type: def.fieldType === 'checkbox' ? 'multipicklist' : 'picklist', options, label };
    case 'number':
      return { type: 'decimal', label };
    case 'bool':
      return { type: 'boolean', label };
    case 'date':
      return { type: 'date', label };
    case 'datetime':
      return { type: 'datetime', label };
    default:
      return {
        type:
          mappedType === 'email' ? 'email' : def.fieldType === 'phonenumber' ? 'phone' : 'string',
        label,
      };
  }
}

/** Every HubSpot property value is a string; clearing one is the empty string. */
function propertyValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(';');
  return String(value);
}

/**
 * How a HubSpot object type is written: the writable fields are the entity's mapped
 * properties that `GET /crm/v3/properties/{type}` does not mark read-only or calculated; the
 * re-read is `batch/read` and the write `batch/update`, ≤ 100 each. A batch's 207 answer names
 * the failed ids in each error's `context.ids` (and the property in `context.propertyName`);
 * the rest of the batch was written.
 */
export function objectWriter(
  entity: EntityDefinition<HubspotClient, HubspotObject>,
  objectType: string,
  properties: readonly string[],
): EntityWriter<HubspotClient> {
  const processor = createDefaultProcessor(
    entity as EntityDefinition<unknown, HubspotObject>,
    'hubspot',
  );
  const toRemote = (o: HubspotObject): RemoteRecord => {
    const mapped = processor.transform(o);
    return { id: mapped.externalId, data: mapped.data, modifiedAt: mapped.remoteUpdatedAt ?? null };
  };
  // A mapped field and its property: `firstname` ← `properties.firstname`.
  const propertyOf = new Map<string, string>();
  for (const [name, spec] of Object.entries(entity.fields))
    if (spec.source?.startsWith('properties.'))
      propertyOf.set(name, spec.source.slice('properties.'.length));
  return {
    batchSize: BATCH,
    async writableFields(client, signal) {
      const res = await client.http.get<{ results?: PropertyDefinition[] }>(
        `/crm/v3/properties/${objectType}`,
        { signal },
      );
      const defs = new Map((res.body.results ?? []).map((d) => [d.name, d]));
      const fields: WritableFields = {};
      for (const [name, property] of propertyOf) {
        const def = defs.get(property);
        if (!def || def.calculated || def.modificationMetadata?.readOnlyValue) continue;
        fields[name] = writableField(def, entity.fields[name]?.type ?? 'string');
      }
      return fields;
    },
    async read(client, ids, signal) {
      const out: RemoteRecord[] = [];
      for (let i = 0; i < ids.length; i += BATCH) {
        const res = await client.post<BatchAnswer>(
          `/crm/v3/objects/${objectType}/batch/read`,
          { inputs: ids.slice(i, i + BATCH).map((id) => ({ id })), properties },
          signal,
        );
        out.push(...(res.body.results ?? []).map(toRemote));
      }
      return out;
    },
    async write(client, updates: readonly RecordUpdate[], signal) {
      const res = await client.post<BatchAnswer>(
        `/crm/v3/objects/${objectType}/batch/update`,
        {
          inputs: updates.map((u) => ({
            id: u.id,
            properties: Object.fromEntries(
              Object.entries(u.fields).map(([f, v]) => [propertyOf.get(f) ?? f, propertyValue(v)]),
            ),
          })),
        },
        signal,
      );
      const outcomes: WriteOutcome[] = [];
      const written = new Map((res.body.results ?? []).map((o) => [o.id, o]));
      for (const error of res.body.errors ?? [])
        for (const id of error.context?.ids ?? []) {
          const field = error.context?.propertyName?.[0];
          outcomes.push({
            id,
            ok: false,
            reason: `${error.category ?? 'error'}: ${error.message ?? 'refused'}`,
            ...(field && { field }),
          });
        }
      for (const u of updates) {
        const o = written.get(u.id);
        if (!o) continue;
        // The answer carries the written properties and the change stamp: the rest comes from the re-read.
        const mapped = toRemote(o);
        const data = Object.fromEntries(
          Object.entries(mapped.data).filter(([f]) => f in u.fields || f === entity.updatedAtField),
        );
        outcomes.push({ id: u.id, ok: true, record: { ...mapped, data } });
      }
      return outcomes;
    },
  };
}
