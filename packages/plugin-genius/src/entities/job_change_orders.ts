import { geniusEntity } from './table.js';

export const jobChangeOrders = geniusEntity({
  name: 'job_change_orders',
  displayName: 'Job change orders',
  table: 'job_change_order',
  key: 'id',
  deltaColumn: 'updated_at',
  dependsOn: ['job_change_order_statuses', 'job_change_order_types', 'job_change_order_reasons'],
  fields: {
    id: { type: 'integer', required: true },
    job_id: { type: 'integer', required: true },
    number: { type: 'string', maxLength: 50 },
    status_id: { type: 'integer' },
    type_id: { type: 'integer' },
    reason_id: { type: 'integer' },
    add_user_id: { type: 'integer' },
    add_date: { type: 'datetime' },
    sold_date: { type: 'date' },
    cancel_date: { type: 'date' },
    updated_at: { type: 'datetime' },
  },
});
