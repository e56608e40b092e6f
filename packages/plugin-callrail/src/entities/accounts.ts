import { callrailEntity } from './list.js';

export const accounts = callrailEntity({
  name: 'accounts',
  displayName: 'Accounts',
  description: 'Accounts the API key can see (GET /v3/a.json)',
  list: { path: null, key: 'accounts' },
  fields: {
    id: { type: 'string', required: true },
    name: { type: 'string' },
    numeric_id: { type: 'integer' },
    outbound_recording_enabled: { type: 'boolean' },
    hipaa_account: { type: 'boolean' },
  },
});
