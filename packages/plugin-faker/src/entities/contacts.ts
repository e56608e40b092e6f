import { fakerEntity } from './fetch.js';

export const contacts = fakerEntity('contacts', {
  displayName: 'Contacts',
  description: 'People, with how to reach them and where they are in the funnel.',
  fields: {
    id: { type: 'object_id', required: true },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    email: { type: 'email' },
    phone: { type: 'phone' },
    company_id: { type: 'object_id' },
    city: { type: 'string' },
    state: { type: 'state' },
    zip: { type: 'zip_code' },
    lifecycle_stage: { type: 'string' },
    score: { type: 'integer' },
    created_at: { type: 'datetime', required: true },
    updated_at: { type: 'datetime', required: true },
  },
  rules: [
    (r) =>
      r.data.email == null && r.data.phone == null
        ? [{ field: 'email', reason: 'the contact has neither an email nor a phone number' }]
        : undefined,
  ],
});
