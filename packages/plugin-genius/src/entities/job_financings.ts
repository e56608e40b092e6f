import { geniusEntity } from './table.js';

// Small reference table without an update timestamp: re-read whole every run.
export const jobFinancings = geniusEntity({
  name: 'job_financings',
  displayName: 'Job financings',
  table: 'job_financing',
  key: 'id',
  fields: {
    id: { type: 'integer', required: true },
    label: { type: 'string', maxLength: 255 },
    is_active: { type: 'boolean' },
  },
});
