import { defineEntity } from '@crmsync/core';
import type { FakerClient } from '../client.js';
import type { FakerRecord } from '../types.js';
import { fetchEntity } from './fetch.js';

export const contacts = defineEntity<FakerClient, FakerRecord>({
  name: 'contacts',
  displayName: 'Contacts',
  description: 'People, with how to reach them and where they are in the funnel.',
  primaryKey: 'id',
  delta: { kind: 'updated-since', field: 'updated_at' },
  updatedAtField: 'updated_at',
  createdAtField: 'created_at',
  fields: {
    id: { type: 'object_id', required: true },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    email: { type: 'email' },
    phone: { type: 'phone' },
    company_id: { type: 'object_id' },
    city: { type: 'string' },
    state: { type: 'state' },
    zip: { type: 'zip_code' },
    lifecycle_stage: { type: 'string' },
    score: { type: 'integer' },
    created_at: { type: 'datetime', required: true },
    updated_at: { type: 'datetime', required: true },
  },
  rules: [
    (r) =>
      r.data.email == null && r.data.phone == null
        ? [{ field: 'email', reason: 'the contact has neither an email nor a phone number' }]
        : undefined,
  ],
  fetch: fetchEntity('contacts'),
});
