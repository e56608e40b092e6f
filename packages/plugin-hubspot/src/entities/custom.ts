import { type FieldSchema, InputError } from '@crmsync/core';
import { objectEntity } from './objects.js';

export interface CustomObjectSpec {
  objectTypeId: string;
  name: string;
  properties: string[];
}

/**
 * Parses `HUBSPOT_CUSTOM_OBJECTS`: `2-123456:projects,2-654321:installs:name|status|amount`
 * (object type id, entity name, optional `|`-separated properties). An array of
 * `{objectTypeId, name, properties}` is accepted too, for hosts that pass config as objects.
 */
export function parseCustomObjects(value: unknown): CustomObjectSpec[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value))
    return value.map((v) => {
      const o = v as Partial<CustomObjectSpec>;
      return check(
        String(o.objectTypeId ?? ''),
        String(o.name ?? ''),
        Array.isArray(o.properties) ? o.properties.map(String) : [],
      );
    });
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [id = '', name = '', props = ''] = entry.split(':');
      return check(
        id.trim(),
        name.trim(),
        props
          .split('|')
          .map((p) => p.trim())
          .filter(Boolean),
      );
    });
}

function check(objectTypeId: string, name: string, properties: string[]): CustomObjectSpec {
  if (!/^2-\d+$/.test(objectTypeId))
    throw new InputError(
      'HUBSPOT_CUSTOM_OBJECTS',
      'custom object type ids like 2-123456 (id:name[:prop|prop])',
      objectTypeId,
    );
  if (!/^[a-z][a-z0-9_]*$/.test(name))
    throw new InputError(
      'HUBSPOT_CUSTOM_OBJECTS',
      'entity names of lowercase letters, digits and _',
      name,
    );
  return { objectTypeId, name, properties };
}

/** A custom object entity: its listed properties as strings, plus HubSpot's own stamps. */
export function customObjectEntity(spec: CustomObjectSpec) {
  const fields: FieldSchema = {};
  for (const p of spec.properties) fields[p] = { type: 'string', source: `properties.${p}` };
  fields.hs_createdate = { type: 'datetime', source: 'properties.hs_createdate' };
  fields.hs_lastmodifieddate = { type: 'datetime', source: 'properties.hs_lastmodifieddate' };
  return objectEntity({
    name: spec.name,
    displayName: spec.name,
    description: `custom object ${spec.objectTypeId}`,
    objectType: spec.objectTypeId,
    modifiedProperty: 'hs_lastmodifieddate',
    fields,
  });
}
