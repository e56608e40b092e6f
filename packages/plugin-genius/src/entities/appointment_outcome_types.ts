import { geniusEntity } from './table.js';

// Small reference table without an update timestamp: re-read whole every run.
export const appointmentOutcomeTypes = geniusEntity({
  name: 'appointment_outcome_types',
  displayName: 'Appointment outcome types',
  table: 'appointment_outcome_type',
  key: 'id',
  fields: {
    id: { type: 'integer', required: true },
    label: { type: 'string', maxLength: 255 },
    is_active: { type: 'boolean' },
  },
});
