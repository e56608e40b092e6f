import { geniusEntity } from './table.js';

export const divisionGroups = geniusEntity({
  name: 'division_groups',
  displayName: 'Division groups',
  table: 'division_group',
  key: 'id',
  deltaColumn: 'updated_at',
  fields: {
    id: { type: 'integer', required: true },
    group_label: { type: 'string', maxLength: 255 },
    region_id: { type: 'integer' },
    default_time_zone_name: { type: 'string', maxLength: 64 },
    is_active: { type: 'boolean' },
    updated_at: { type: 'datetime' },
  },
});
