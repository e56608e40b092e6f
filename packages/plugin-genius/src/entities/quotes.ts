import { geniusEntity } from './table.js';

export const quotes = geniusEntity({
  name: 'quotes',
  displayName: 'Quotes',
  table: 'quote',
  key: 'id',
  deltaColumn: 'updated_at',
  dependsOn: ['prospects', 'appointments', 'services'],
  fields: {
    id: { type: 'integer', required: true },
    prospect_id: { type: 'integer' },
    appointment_id: { type: 'integer' },
    job_id: { type: 'integer' },
    service_id: { type: 'integer' },
    label: { type: 'string', maxLength: 255 },
    amount: { type: 'decimal' },
    expire_date: { type: 'date' },
    status_id: { type: 'integer' },
    add_date: { type: 'datetime' },
    updated_at: { type: 'datetime' },
  },
});
