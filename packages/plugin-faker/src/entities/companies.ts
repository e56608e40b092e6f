import { defineEntity } from '@crmsync/core';
import type { FakerClient } from '../client.js';
import type { FakerRecord } from '../types.js';
import { fetchEntity } from './fetch.js';

export const companies = defineEntity<FakerClient, FakerRecord>({
  name: 'companies',
  displayName: 'Companies',
  primaryKey: 'id',
  delta: { kind: 'updated-since', field: 'updated_at' },
  updatedAtField: 'updated_at',
  createdAtField: 'created_at',
  fields: {
    id: { type: 'object_id', required: true },
    name: { type: 'string', required: true },
    domain: { type: 'url' },
    phone: { type: 'phone' },
    industry: { type: 'string' },
    employees: { type: 'integer' },
    annual_revenue: { type: 'decimal' },
    city: { type: 'string' },
    state: { type: 'state' },
    zip: { type: 'zip_code' },
    created_at: { type: 'datetime', required: true },
    updated_at: { type: 'datetime', required: true },
  },
  fetch: fetchEntity('companies'),
});
