import { restEntity } from '@crmsync/core';
import type { AcmeLead } from '../client.js';

/**
 * Acme leads, all declaration. The field schema types each column (validation, the API's
 * typed view) and maps it from the raw record; the rest says how Acme's list endpoint pages
 * (`cursor` → `next_cursor`, at most 200 a page) and filters changes (`updated_since` ≥,
 * `updated_before` <). Acme reports no deletions, so a full read finds them.
 */
export const leads = restEntity<AcmeLead>({
  name: 'leads',
  displayName: 'Leads',
  path: '/v1/leads',
  records: 'data',
  total: 'total',
  pagination: { style: 'cursor', param: 'cursor', next: 'next_cursor', limitParam: 'limit' },
  pageSize: { default: 100, max: 200 },
  delta: {
    kind: 'updated-since',
    field: 'updated_at',
    since: 'updated_since',
    until: 'updated_before',
  },
  deletes: { fullRead: true },
  updatedAtField: 'updated_at',
  createdAtField: 'created_at',
  fields: {
    id: { type: 'object_id', required: true },
    email: { type: 'email' },
    name: { type: 'string' },
    phone: { type: 'phone' },
    status: { type: 'string' },
    created_at: { type: 'datetime' },
    updated_at: { type: 'datetime' },
  },
});
