import { fakerEntity } from './fetch.js';

export const activities = fakerEntity('activities', {
  displayName: 'Activities',
  description: 'Calls, emails, meetings and notes logged against contacts.',
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
});
