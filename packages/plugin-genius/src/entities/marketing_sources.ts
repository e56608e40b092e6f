import { geniusEntity } from './table.js';

export const marketingSources = geniusEntity({
  name: 'marketing_sources',
  displayName: 'Marketing sources',
  table: 'marketing_source',
  key: 'id',
  deltaColumn: 'updated_at',
  dependsOn: ['marketing_source_types'],
  fields: {
    id: { type: 'integer', required: true },
    type_id: { type: 'integer' },
    label: { type: 'string', maxLength: 255 },
    description: { type: 'text' },
    start_date: { type: 'date' },
    end_date: { type: 'date' },
    add_user_id: { type: 'integer' },
    add_date: { type: 'datetime' },
    is_active: { type: 'boolean' },
    is_allow_lead_modification: { type: 'boolean' },
    updated_at: { type: 'datetime' },
  },
});
