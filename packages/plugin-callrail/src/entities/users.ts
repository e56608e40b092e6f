import { callrailEntity } from './list.js';

export const users = callrailEntity({
  name: 'users',
  displayName: 'Users',
  description: 'Users of the account',
  list: { path: 'users', key: 'users' },
  createdAtField: 'created_at',
  fields: {
    // "USR…", like every CallRail id.
    id: { type: 'string', required: true },
    email: { type: 'email' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    role: { type: 'string' },
    created_at: { type: 'datetime' },
  },
});
