import { geniusEntity } from './table.js';

export const prospectSources = geniusEntity({
  name: 'prospect_sources',
  displayName: 'Prospect sources',
  table: 'prospect_source',
  key: 'id',
  deltaColumn: 'updated_at',
  dependsOn: ['marketing_sources'],
  fields: {
    id: { type: 'integer', required: true },
    prospect_id: { type: 'integer', required: true },
    marketing_source_id: { type: 'integer' },
    source_user_id: { type: 'integer' },
    source_date: { type: 'datetime' },
    notes: { type: 'text' },
    add_user_id: { type: 'integer' },
    add_date: { type: 'datetime' },
    updated_at: { type: 'datetime' },
  },
});
