import { geniusEntity } from './table.js';

// Small reference table without an update timestamp: re-read whole every run.
export const appointmentTypes = geniusEntity({
  name: 'appointment_types',
  displayName: 'Appointment types',
  table: 'appointment_type',
  key: 'id',
  fields: {
    id: { type: 'integer', required: true },
    label: { type: 'string', maxLength: 255 },
    is_active: { type: 'boolean' },
  },
});
