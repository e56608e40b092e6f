import { geniusEntity } from './table.js';

// Small reference table without an update timestamp: re-read whole every run.
export const userAssociations = geniusEntity({
  name: 'user_associations',
  displayName: 'User associations',
  table: 'users_userassociations',
  key: 'id',
  dependsOn: ['users', 'divisions'],
  fields: {
    id: { type: 'integer', required: true },
    user_id: { type: 'integer', required: true },
    division_id: { type: 'integer' },
  },
});
