import { geniusEntity } from './table.js';

// Small reference table without an update timestamp: re-read whole every run.
export const divisionRegions = geniusEntity({
  name: 'division_regions',
  displayName: 'Division regions',
  table: 'division_region',
  key: 'id',
  fields: {
    id: { type: 'integer', required: true },
    name: { type: 'string', maxLength: 255 },
    is_active: { type: 'boolean' },
  },
});
