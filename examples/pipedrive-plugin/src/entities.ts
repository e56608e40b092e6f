import { type FieldSchema, restEntity } from '@crmsync/core';

/** A Pipedrive v2 record as the list endpoints return it (fields vary by entity). */
export type PipedriveRecord = Record<string, unknown> & { id: number; update_time: string };

/**
 * One v2 list endpoint. Every v2 list pages by an opaque cursor (`limit` ≤ 500), filters by
 * `update_time` in [updated_since, updated_until) given as RFC 3339, and keeps deleted
 * records in the list with `is_deleted: true` — which restEntity turns into deletions.
 */
function pipedriveList(name: string, displayName: string, fields: FieldSchema) {
  return restEntity<PipedriveRecord>({
    name,
    displayName,
    path: `/${name}`,
    records: 'data',
    // Oldest change first: a record changed during the read moves behind the cursor.
    query: { sort_by: 'update_time', sort_direction: 'asc' },
    pagination: {
      style: 'cursor',
      param: 'cursor',
      next: 'additional_data.next_cursor',
      limitParam: 'limit',
    },
    pageSize: { default: 500, max: 500 },
    delta: {
      kind: 'updated-since',
      field: 'update_time',
      since: 'updated_since',
      until: 'updated_until',
      format: 'iso-seconds',
    },
    deletes: { flag: 'is_deleted' },
    updatedAtField: 'update_time',
    createdAtField: 'add_time',
    fields: {
      id: { type: 'integer', required: true },
      owner_id: { type: 'integer' },
      add_time: { type: 'datetime' },
      update_time: { type: 'datetime', required: true },
      custom_fields: { type: 'json' },
      ...fields,
    },
  });
}

export const persons = pipedriveList('persons', 'Persons', {
  name: { type: 'string' },
  first_name: { type: 'string' },
  last_name: { type: 'string' },
  org_id: { type: 'integer' },
  email: { type: 'email', source: 'emails.0.value' },
  phone: { type: 'phone', source: 'phones.0.value' },
});

export const organizations = pipedriveList('organizations', 'Organizations', {
  name: { type: 'string', required: true },
  website: { type: 'url' },
  industry: { type: 'string' },
  address: { type: 'json' },
});

export const deals = pipedriveList('deals', 'Deals', {
  title: { type: 'string', required: true },
  value: { type: 'decimal' },
  currency: { type: 'string' },
  status: { type: 'string' },
  person_id: { type: 'integer' },
  org_id: { type: 'integer' },
  pipeline_id: { type: 'integer' },
  stage_id: { type: 'integer' },
  expected_close_date: { type: 'date' },
});
