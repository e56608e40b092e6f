import { geniusEntity } from './table.js';

export const divisions = geniusEntity({
  name: 'divisions',
  displayName: 'Divisions',
  table: 'division',
  key: 'id',
  deltaColumn: 'updated_at',
  dependsOn: ['division_groups', 'division_regions'],
  fields: {
    id: { type: 'integer', required: true },
    group_id: { type: 'integer' },
    region_id: { type: 'integer' },
    label: { type: 'string', maxLength: 255 },
    abbreviation: { type: 'string', maxLength: 20 },
    is_utility: { type: 'boolean' },
    is_corp: { type: 'boolean' },
    is_inactive: { type: 'boolean' },
    account_scheduler_id: { type: 'integer' },
    updated_at: { type: 'datetime' },
  },
});
