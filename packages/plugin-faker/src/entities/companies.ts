import { fakerEntity } from './fetch.js';

export const companies = fakerEntity('companies', {
  displayName: 'Companies',
  fields: {
    id: { type: 'object_id', required: true },
    name: { type: 'string', required: true },
    domain: { type: 'url' },
    phone: { type: 'phone' },
    industry: { type: 'string' },
    employees: { type: 'integer' },
    annual_revenue: { type: 'decimal' },
    city: { type: 'string' },
    state: { type: 'state' },
    zip: { type: 'zip_code' },
    created_at: { type: 'datetime', required: true },
    updated_at: { type: 'datetime', required: true },
  },
});
