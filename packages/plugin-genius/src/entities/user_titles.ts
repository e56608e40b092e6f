import { geniusEntity } from './table.js';

export const userTitles = geniusEntity({
  name: 'user_titles',
  displayName: 'User titles',
  table: 'user_title',
  key: 'id',
  deltaColumn: 'updated_at',
  fields: {
    id: { type: 'integer', required: true },
    title: { type: 'string', maxLength: 255 },
    type_id: { type: 'integer' },
    is_active: { type: 'boolean' },
    updated_at: { type: 'datetime' },
  },
});
