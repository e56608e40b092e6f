import { callrailEntity } from './list.js';

export const trackers = callrailEntity({
  name: 'trackers',
  displayName: 'Trackers',
  description: 'Tracking numbers and their sources',
  list: { path: 'trackers', key: 'trackers' },
  createdAtField: 'created_at',
  dependsOn: ['companies'],
  fields: {
    id: { type: 'string', required: true },
    name: { type: 'string' },
    type: { type: 'string' },
    status: { type: 'string' },
    destination_number: { type: 'phone' },
    tracking_numbers: { type: 'json' },
    company_id: { type: 'string', source: 'company.id' },
    company: { type: 'json' },
    source: { type: 'json' },
    call_flow: { type: 'json' },
    sms_enabled: { type: 'boolean' },
    created_at: { type: 'datetime' },
    disabled_at: { type: 'datetime' },
  },
});
