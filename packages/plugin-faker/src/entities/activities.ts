import { defineEntity } from '@crmsync/core';
import type { FakerClient } from '../client.js';
import type { FakerRecord } from '../types.js';
import { fetchEntity } from './fetch.js';

export const activities = defineEntity<FakerClient, FakerRecord>({
  name: 'activities',
  displayName: 'Activities',
  description: 'Calls, emails, meetings and notes logged against contacts.',
  primaryKey: 'id',
  delta: { kind: 'updated-since', field: 'updated_at' },
  updatedAtField: 'updated_at',
  createdAtField: 'created_at',
  dependsOn: ['contacts'],
  fields: {
    id: { type: 'object_id', required: true },
    type: { type: 'string', required: true },
    subject: { type: 'string', required: true },
    contact_id: { type: 'object_id' },
    occurred_at: { type: 'datetime' },
    duration_seconds: { type: 'integer' },
    created_at: { type: 'datetime', required: true },
    updated_at: { type: 'datetime', required: true },
  },
  fetch: fetchEntity('activities'),
});
