import { geniusEntity } from './table.js';

// Small reference table without an update timestamp: re-read whole every run.
export const jobStatuses = geniusEntity({
  name: 'job_statuses',
  displayName: 'Job statuses',
  table: 'job_status',
  key: 'id',
  fields: {
    id: { type: 'integer', required: true },
    label: { type: 'string', maxLength: 255 },
    is_system: { type: 'boolean' },
  },
});
