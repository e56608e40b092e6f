import { fakerEntity } from './fetch.js';

export const deals = fakerEntity('deals', {
  displayName: 'Deals',
  dependsOn: ['contacts', 'companies'],
  fields: {
    id: { type: 'object_id', required: true },
    name: { type: 'string', required: true },
    amount: { type: 'decimal' },
    stage: { type: 'string' },
    contact_id: { type: 'object_id' },
    company_id: { type: 'object_id' },
    close_date: { type: 'date' },
    created_at: { type: 'datetime', required: true },
    updated_at: { type: 'datetime', required: true },
  },
  rules: [
    (r) =>
      typeof r.data.close_date === 'string' &&
      typeof r.data.created_at === 'string' &&
      r.data.close_date < r.data.created_at.slice(0, 10)
        ? [{ field: 'close_date', reason: 'the deal closes before it was created' }]
        : undefined,
  ],
});
