import { geniusEntity } from './table.js';

// Small reference table without an update timestamp: re-read whole every run.
export const jobChangeOrderStatuses = geniusEntity({
  name: 'job_change_order_statuses',
  displayName: 'Job change order statuses',
  table: 'job_change_order_status',
  key: 'id',
  fields: {
    id: { type: 'integer', required: true },
    label: { type: 'string', maxLength: 255 },
    is_selectable: { type: 'boolean' },
  },
});
