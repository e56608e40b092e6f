import { absoluteUrl } from '../values.js';
import { callrailEntity } from './list.js';

export const companies = callrailEntity({
  name: 'companies',
  displayName: 'Companies',
  description: 'Companies of the account',
  list: { path: 'companies', key: 'companies' },
  createdAtField: 'created_at',
  // `script_url` comes protocol-relative (`//cdn.callrail.com/…`): stored absolute, over https.
  prepare(raw) {
    raw.script_url = absoluteUrl(raw.script_url);
  },
  fields: {
    id: { type: 'string', required: true },
    name: { type: 'string', required: true },
    status: { type: 'string' },
    time_zone: { type: 'string' },
    created_at: { type: 'datetime' },
    disabled_at: { type: 'datetime' },
    dni_active: { type: 'boolean' },
    script_url: { type: 'url' },
    callscore_enabled: { type: 'boolean' },
    lead_scoring_enabled: { type: 'boolean' },
    keyword_spotting_enabled: { type: 'boolean' },
    form_capture: { type: 'boolean' },
  },
});
