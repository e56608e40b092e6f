import { reply } from '@crmsync/core/fake-api';
import { type HubspotObject, modifiedProperty, type ObjectStore } from './data.js';
import { errorBody, HttpError } from './errors.js';
import { view } from './objects-api.js';

/** A property definition as `GET /crm/v3/properties/{objectType}` answers it. */
export interface PropertyDefinition {
  name: string;
  label: string;
  type: 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';
  fieldType: string;
  options: Array<{ label: string; value: string; displayOrder: number; hidden: boolean }>;
  calculated: boolean;
  modificationMetadata: {
    archivable: boolean;
    readOnlyDefinition: boolean;
    readOnlyValue: boolean;
  };
}

const enumOptions = (values: readonly string[]) =>
  values.map((value, displayOrder) => ({ label: value, value, displayOrder, hidden: false }));

/** HubSpot's default lifecycle stages (internal values). */
export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
];
export const DEAL_STAGES = [
  'appointmentscheduled',
  'qualifiedtobuy',
  'presentationscheduled',
  'decisionmakerboughtin',
  'contractsent',
  'closedwon',
  'closedlost',
];

/** How the fake types the properties it generates; everything else is a text property. */
const TYPED: Record<string, Partial<PropertyDefinition>> = {
  lifecyclestage: {
    type: 'enumeration',
    fieldType: 'radio',
    options: enumOptions(LIFECYCLE_STAGES),
  },
  dealstage: { type: 'enumeration', fieldType: 'radio', options: enumOptions(DEAL_STAGES) },
  pipeline: { type: 'enumeration', fieldType: 'select', options: enumOptions(['default']) },
  industry: {
    type: 'enumeration',
    fieldType: 'select',
    options: enumOptions(['CONSTRUCTION', 'REAL_ESTATE', 'RETAIL']),
  },
  amount: { type: 'number', fieldType: 'number' },
  closedate: { type: 'datetime', fieldType: 'date' },
  phone: { type: 'string', fieldType: 'phonenumber' },
};
const READ_ONLY = new Set([
  'hs_object_id',
  'createdate',
  'hs_createdate',
  'lastmodifieddate',
  'hs_lastmodifieddate',
  'hs_fake_revision',
]);

/** `GET /crm/v3/properties/{objectType}`: the type's properties, read-only ones flagged. */
export function propertyDefinitions(store: ObjectStore, owners: number): PropertyDefinition[] {
  const sample = store.get(1) ?? store.get(store.size);
  const names = new Set([
    ...Object.keys(sample?.properties ?? {}),
    'hs_object_id',
    modifiedProperty(store.objectType),
  ]);
  names.delete('hs_fake_revision');
  return [...names].sort().map((name) => {
    const readOnly = READ_ONLY.has(name);
    const owner =
      name === 'hubspot_owner_id'
        ? {
            type: 'enumeration' as const,
            fieldType: 'select',
            options: enumOptions(Array.from({ length: owners }, (_, i) => String(101 + i))),
          }
        : {};
    return {
      name,
      label: name,
      type: readOnly && name !== 'hs_object_id' ? 'datetime' : 'string',
      fieldType: 'text',
      options: [],
      calculated: false,
      modificationMetadata: {
        archivable: !readOnly,
        readOnlyDefinition: readOnly,
        readOnlyValue: readOnly,
      },
      ...TYPED[name],
      ...owner,
    };
  });
}

const BATCH_MAX = 100;

function inputsOf(body: Record<string, unknown>): Array<Record<string, unknown>> {
  const inputs = body.inputs;
  if (!Array.isArray(inputs))
    throw new HttpError(
      400,
      errorBody('Invalid input JSON: inputs is required', 'VALIDATION_ERROR'),
    );
  if (inputs.length > BATCH_MAX)
    throw new HttpError(
      400,
      errorBody(
        `Batch size must be at most ${BATCH_MAX} (got ${inputs.length})`,
        'VALIDATION_ERROR',
      ),
    );
  return inputs as Array<Record<string, unknown>>;
}

/** A batch answer: 200 COMPLETE, or 207 with `errors` when some inputs failed. */
function batchAnswer(
  results: HubspotObject[],
  errors: Array<Record<string, unknown>>,
  started: string,
) {
  const body = {
    status: 'COMPLETE',
    results,
    startedAt: started,
    completedAt: new Date().toISOString(),
    ...(errors.length > 0 && { numErrors: errors.length, errors }),
  };
  return reply(errors.length > 0 ? 207 : 200, body);
}

/** `POST /crm/v3/objects/{type}/batch/read` `{inputs:[{id}], properties}`: unknown ids are 207 errors. */
export function batchRead(store: ObjectStore, body: Record<string, unknown>) {
  const started = new Date().toISOString();
  const properties = Array.isArray(body.properties) ? (body.properties as string[]) : null;
  const results: HubspotObject[] = [];
  const missing: string[] = [];
  for (const input of inputsOf(body)) {
    const id = String(input.id ?? '');
    const o = store.get(Number(id));
    if (!o || o.archived || !/^\d+$/.test(id)) missing.push(id);
    else results.push(view(store, o, properties));
  }
  const errors = missing.length
    ? [
        errorBody(
          'Could not get some objects, they may be deleted or not exist. Check that ids are valid.',
          'OBJECT_NOT_FOUND',
          { context: { ids: missing } },
        ),
      ]
    : [];
  return batchAnswer(results, errors, started);
}

/**
 * `POST /crm/v3/objects/{type}/batch/update` `{inputs:[{id, properties}]}`: each valid input is
 * written (its change stamp moves to now); an unknown id, a read-only or unknown property, a
 * value outside an enumeration's options or an email another contact has fails that input
 * alone, as a 207 error naming the id and the property.
 */
export function batchUpdate(
  store: ObjectStore,
  body: Record<string, unknown>,
  definitions: PropertyDefinition[],
  now: Date,
) {
  const started = now.toISOString();
  const byName = new Map(definitions.map((d) => [d.name, d]));
  const results: HubspotObject[] = [];
  const errors: Array<Record<string, unknown>> = [];
  const fail = (
    id: string,
    property: string | null,
    message: string,
    category = 'VALIDATION_ERROR',
  ) =>
    errors.push(
      errorBody(message, category, {
        context: { ids: [id], ...(property && { propertyName: [property] }) },
      }),
    );
  for (const input of inputsOf(body)) {
    const id = String(input.id ?? '');
    const current = /^\d+$/.test(id) ? store.get(Number(id)) : undefined;
    if (!current || current.archived) {
      fail(id, null, `Object ${id} not found`, 'OBJECT_NOT_FOUND');
      continue;
    }
    const properties = (input.properties ?? {}) as Record<string, unknown>;
    const problem = Object.entries(properties)
      .map(([name, value]) => invalid(store, Number(id), byName.get(name), name, value))
      .find((p) => p !== null);
    if (problem) {
      fail(id, problem.property, problem.message);
      continue;
    }
    store.touch([Number(id)], now, (o) => {
      for (const [name, value] of Object.entries(properties))
        o.properties[name] = value === null || value === '' ? null : String(value);
    });
    const written = store.get(Number(id)) as HubspotObject;
    results.push(
      view(store, written, [...Object.keys(properties), modifiedProperty(store.objectType)]),
    );
  }
  return batchAnswer(results, errors, started);
}

function invalid(
  store: ObjectStore,
  id: number,
  def: PropertyDefinition | undefined,
  name: string,
  value: unknown,
): { property: string; message: string } | null {
  if (!def) return { property: name, message: `Property "${name}" does not exist` };
  if (def.modificationMetadata.readOnlyValue)
    return {
      property: name,
      message: `"${name}" is a read only property; its value cannot be set.`,
    };
  if (value === null || value === '') return null;
  const text = String(value);
  if (def.type === 'enumeration' && !def.options.some((o) => o.value === text))
    return {
      property: name,
      message: `${text} was not one of the allowed options: [${def.options.map((o) => o.value).join(', ')}]`,
    };
  if (def.type === 'number' && !Number.isFinite(Number(text)))
    return { property: name, message: `${text} is not a valid number` };
  if (name === 'email' && store.objectType === '0-1') {
    const owner = emailOwner(store, text);
    if (owner !== null && owner !== id)
      return { property: name, message: `A contact with the email ${text} already exists` };
  }
  return null;
}

/** The contact holding an email: generated emails end `.<id>@example.com`, changed ones are scanned. */
function emailOwner(store: ObjectStore, email: string): number | null {
  const lower = email.toLowerCase();
  const generated = /\.(\d+)@example\.com$/.exec(lower);
  if (generated) {
    const i = Number(generated[1]);
    if (store.get(i)?.properties.email?.toLowerCase() === lower) return i;
  }
  return store.findChanged((o) => o.properties.email?.toLowerCase() === lower);
}
