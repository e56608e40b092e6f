import { defineEntity } from '@crmsync/core';
import type { AcmeClient, AcmeLead } from '../client.js';

/**
 * Acme leads: mostly declaration. The field schema types each column (validation, the API's
 * typed view) and maps it from the raw record; `delta` says Acme filters on `updated_at`.
 */
export const leads = defineEntity<AcmeClient, AcmeLead>({
  name: 'leads',
  displayName: 'Leads',
  primaryKey: 'id',
  delta: { kind: 'updated-since', field: 'updated_at' },
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
  fetch(client, request) {
    const cursor = request.checkpoint?.cursor;
    return client.leads({
      limit: request.batchSize,
      signal: request.signal,
      ...(request.since && { since: request.since }),
      ...(request.until && { until: request.until }),
      ...(typeof cursor === 'string' && { cursor }),
    });
  },
});
