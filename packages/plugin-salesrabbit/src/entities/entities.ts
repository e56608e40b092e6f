import { CrmsyncError, type FieldType } from '@crmsync/core';
import { salesRabbitList } from './list.js';

const FIELD_TYPES: readonly FieldType[] = [
  'string',
  'text',
  'email',
  'phone',
  'url',
  'date',
  'datetime',
  'decimal',
  'integer',
  'boolean',
  'zip_code',
  'state',
  'object_id',
  'json',
];

/**
 * `SALESRABBIT_CUSTOM_FIELDS`: a JSON object of custom field name → field type
 * (`{"roofAge": "integer", "installDate": "date"}`), as text (the environment) or parsed.
 */
export function parseCustomFields(value: unknown): Record<string, FieldType> {
  if (value === undefined || value === null || value === '') return {};
  const bad = (why: string) =>
    new CrmsyncError(
      'config',
      `salesrabbit: SALESRABBIT_CUSTOM_FIELDS must be a JSON object of custom field name → type (${FIELD_TYPES.join(', ')}): ${why}`,
      { crm: 'salesrabbit', field: 'SALESRABBIT_CUSTOM_FIELDS' },
    );
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw bad('it is not valid JSON');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw bad('it is not an object');
  const out: Record<string, FieldType> = {};
  for (const [name, type] of Object.entries(parsed)) {
    if (!/^[A-Za-z0-9_]+$/.test(name))
      throw bad(`${JSON.stringify(name)} is not a field name (letters, digits, _)`);
    if (!FIELD_TYPES.includes(type as FieldType))
      throw bad(`${name}: ${JSON.stringify(type)} is not a type`);
    out[name] = type as FieldType;
  }
  return out;
}

export const users = salesRabbitList({
  name: 'users',
  displayName: 'Users',
  description:
    'Reps and managers; pages are 0-indexed and some accounts answer every user on every page',
  path: '/users',
  sinceHeader: 'If-Modified-Since',
  delta: { kind: 'updated-since', field: 'dateModified' },
  firstPage: 0,
  updatedAtField: 'dateModified',
  createdAtField: 'dateCreated',
  fields: {
    id: { type: 'integer', required: true },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    email: { type: 'email' },
    phone: { type: 'phone' },
    active: { type: 'boolean' },
    hireDate: { type: 'date' },
    role: { type: 'string' },
    office: { type: 'string' },
    team: { type: 'string' },
    region: { type: 'string' },
    supervisorId: { type: 'integer' },
    dateCreated: { type: 'datetime' },
    dateModified: { type: 'datetime', required: true },
  },
});

/**
 * Leads, with the custom fields the account declares in `SALESRABBIT_CUSTOM_FIELDS` as typed
 * (and validated) `custom_<name>` columns of the schema; the others are typed by their values.
 */
export function leadsEntity(customTypes: Record<string, FieldType> = {}) {
  return salesRabbitList({
    name: 'leads',
    displayName: 'Leads',
    description: 'Leads with their status and custom fields; deleted ones come back with deletedAt',
    path: '/leads',
    sinceHeader: 'If-Modified-Since',
    delta: { kind: 'updated-since', field: 'dateModified' },
    firstPage: 1,
    updatedAtField: 'dateModified',
    createdAtField: 'dateCreated',
    deletedFlag: 'deletedAt',
    dependsOn: ['users'],
    customFields: true,
    fields: {
      id: { type: 'integer', required: true },
      firstName: { type: 'string' },
      lastName: { type: 'string' },
      businessName: { type: 'string' },
      email: { type: 'email' },
      phonePrimary: { type: 'phone' },
      phoneAlternate: { type: 'phone' },
      street1: { type: 'string' },
      street2: { type: 'string' },
      city: { type: 'string' },
      state: { type: 'string' },
      zip: { type: 'string' },
      country: { type: 'string' },
      latitude: { type: 'decimal' },
      longitude: { type: 'decimal' },
      status: { type: 'string' },
      statusModified: { type: 'datetime' },
      notes: { type: 'text' },
      campaignId: { type: 'integer' },
      userId: { type: 'integer' },
      userName: { type: 'string' },
      ownerModified: { type: 'datetime' },
      dateCreated: { type: 'datetime' },
      dateModified: { type: 'datetime', required: true },
      customFields: { type: 'json' },
      ...Object.fromEntries(
        Object.entries(customTypes).map(([name, type]) => [
          `custom_${name}`,
          { type, source: `customFields.${name}` },
        ]),
      ),
    },
  });
}

export const leads = leadsEntity();

export const leadStatusActivities = salesRabbitList({
  name: 'lead_status_activities',
  displayName: 'Lead status activities',
  description:
    'Each status change of a lead (who set which status when); read by If-Status-Modified-Since',
  path: '/leadStatusActivities',
  sinceHeader: 'If-Status-Modified-Since',
  delta: { kind: 'created-since', field: 'dispositionTimestamp' },
  firstPage: 1,
  createdAtField: 'dispositionTimestamp',
  dependsOn: ['leads', 'users'],
  fields: {
    id: { type: 'integer', required: true },
    leadId: { type: 'integer' },
    dispositionTimestamp: { type: 'datetime', required: true },
    dispositionLeadStatusId: { type: 'integer' },
    dispositionLeadStatusName: { type: 'string' },
    dispositionerID: { type: 'integer' },
    dispositionerName: { type: 'string' },
    currentLeadStatusName: { type: 'string' },
    currentLeadModified: { type: 'datetime' },
  },
});
