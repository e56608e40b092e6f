import { geniusEntity } from './table.js';

// Small reference table without an update timestamp: re-read whole every run.
export const marketingSourceTypes = geniusEntity({
  name: 'marketing_source_types',
  displayName: 'Marketing source types',
  table: 'marketing_source_type',
  key: 'id',
  fields: {
    id: { type: 'integer', required: true },
    label: { type: 'string', maxLength: 255 },
    description: { type: 'text' },
    is_active: { type: 'boolean' },
    list_order: { type: 'integer' },
  },
});
