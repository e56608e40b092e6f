import { geniusEntity } from './table.js';

// The real `job` table has ~100 columns; these are the ones the legacy queries relied on.
// Columns not listed still travel in the raw row.
export const jobs = geniusEntity({
  name: 'jobs',
  displayName: 'Jobs',
  table: 'job',
  key: 'id',
  deltaColumn: 'updated_at',
  dependsOn: ['prospects', 'divisions', 'job_statuses'],
  fields: {
    id: { type: 'integer', required: true },
    prospect_id: { type: 'integer' },
    division_id: { type: 'integer' },
    status: { type: 'integer' },
    contract_number: { type: 'string', maxLength: 50 },
    contract_date: { type: 'date' },
    contract_amount: { type: 'decimal' },
    sold_date: { type: 'date' },
    start_date: { type: 'date' },
    finish_date: { type: 'date' },
    cancel_date: { type: 'date' },
    updated_at: { type: 'datetime' },
  },
});
