import { geniusEntity } from './table.js';

// Small reference table without an update timestamp: re-read whole every run.
export const jobChangeOrderReasons = geniusEntity({
  name: 'job_change_order_reasons',
  displayName: 'Job change order reasons',
  table: 'job_change_order_reason',
  key: 'id',
  fields: {
    id: { type: 'integer', required: true },
    label: { type: 'string', maxLength: 255 },
    description: { type: 'text' },
  },
});
