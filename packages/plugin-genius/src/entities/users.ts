import { geniusEntity } from './table.js';

export const users = geniusEntity({
  name: 'users',
  displayName: 'Users',
  table: 'user_data',
  key: 'user_id',
  deltaColumn: 'updated_at',
  dependsOn: ['divisions', 'user_titles'],
  fields: {
    user_id: { type: 'integer', required: true },
    division_id: { type: 'integer' },
    title_id: { type: 'integer' },
    first_name: { type: 'string', maxLength: 100 },
    last_name: { type: 'string', maxLength: 100 },
    email: { type: 'email' },
    hired_on: { type: 'date' },
    is_inactive: { type: 'boolean' },
    add_datetime: { type: 'datetime' },
    updated_at: { type: 'datetime' },
  },
});
