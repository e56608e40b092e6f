import { geniusEntity } from './table.js';

// `lead` is a reserved word in MySQL: every statement backtick-quotes it. Rows never
// updated have a NULL `updated_at`, so the delta reads COALESCE(updated_at, added_on).
export const leads = geniusEntity({
  name: 'leads',
  displayName: 'Leads',
  table: 'lead',
  key: 'lead_id',
  deltaColumn: 'updated_at',
  deltaFallback: 'added_on',
  fields: {
    lead_id: { type: 'integer', required: true },
    first_name: { type: 'string', maxLength: 100 },
    last_name: { type: 'string', maxLength: 100 },
    email: { type: 'email' },
    phone1: { type: 'phone' },
    address1: { type: 'string', maxLength: 255 },
    city: { type: 'string', maxLength: 100 },
    state: { type: 'state' },
    zip: { type: 'zip_code' },
    source: { type: 'integer' },
    added_by: { type: 'integer' },
    division: { type: 'integer' },
    status: { type: 'string', maxLength: 50 },
    copied_to_id: { type: 'integer' },
    added_on: { type: 'datetime' },
    updated_at: { type: 'datetime' },
  },
});
