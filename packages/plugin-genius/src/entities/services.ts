import { geniusEntity } from './table.js';

export const services = geniusEntity({
  name: 'services',
  displayName: 'Services',
  table: 'service',
  key: 'id',
  deltaColumn: 'updated_at',
  fields: {
    id: { type: 'integer', required: true },
    label: { type: 'string', maxLength: 255 },
    is_active: { type: 'boolean' },
    is_lead_required: { type: 'boolean' },
    order_number: { type: 'integer' },
    updated_at: { type: 'datetime' },
  },
});
