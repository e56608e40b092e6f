import { callrailEntity } from './list.js';

export const tags = callrailEntity({
  name: 'tags',
  displayName: 'Tags',
  description: 'Tags applied to calls and messages',
  list: { path: 'tags', key: 'tags' },
  createdAtField: 'created_at',
  dependsOn: ['companies'],
  fields: {
    id: { type: 'integer', required: true },
    name: { type: 'string', required: true },
    color: { type: 'string' },
    company_id: { type: 'string' },
    created_at: { type: 'datetime' },
  },
});
