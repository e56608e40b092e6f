import { geniusEntity } from './table.js';

// Small reference table without an update timestamp: re-read whole every run.
export const jobChangeOrderTypes = geniusEntity({
  name: 'job_change_order_types',
  displayName: 'Job change order types',
  table: 'job_change_order_type',
  key: 'id',
  fields: {
    id: { type: 'integer', required: true },
    label: { type: 'string', maxLength: 255 },
  },
});
