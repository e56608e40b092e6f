import { callrailEntity } from './list.js';

export const formSubmissions = callrailEntity({
  name: 'form_submissions',
  displayName: 'Form submissions',
  description: 'Form submissions, re-read over a trailing window of submission time',
  list: { path: 'form_submissions', key: 'form_submissions', dateField: 'submitted_at' },
  createdAtField: 'submitted_at',
  dependsOn: ['companies'],
  fields: {
    id: { type: 'string', required: true },
    company_id: { type: 'string' },
    person_id: { type: 'string' },
    submitted_at: { type: 'datetime', required: true },
    form_url: { type: 'url' },
    landing_page_url: { type: 'url' },
    form_data: { type: 'json' },
    source: { type: 'string' },
  },
});
