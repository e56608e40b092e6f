import { geniusEntity } from './table.js';

// Small reference table without an update timestamp: re-read whole every run.
export const jobChangeOrderItems = geniusEntity({
  name: 'job_change_order_items',
  displayName: 'Job change order items',
  table: 'job_change_order_item',
  key: 'id',
  dependsOn: ['job_change_orders'],
  fields: {
    id: { type: 'integer', required: true },
    change_order_id: { type: 'integer', required: true },
    description: { type: 'text' },
    amount: { type: 'decimal' },
  },
});
