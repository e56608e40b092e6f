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
    // Indexed: the data browser's usual filters and sorts on a 6,000,000-row table.
    status: { type: 'string', maxLength: 50, indexed: true },
    copied_to_id: { type: 'integer' },
    added_on: { type: 'datetime', indexed: true },
    updated_at: { type: 'datetime', indexed: true },
  },
});
