import { geniusEntity } from './table.js';

export const appointmentOutcomes = geniusEntity({
  name: 'appointment_outcomes',
  displayName: 'Appointment outcomes',
  table: 'appointment_outcome',
  key: 'id',
  deltaColumn: 'updated_at',
  dependsOn: ['appointment_outcome_types'],
  fields: {
    id: { type: 'integer', required: true },
    type_id: { type: 'integer' },
    label: { type: 'string', maxLength: 255 },
    is_active: { type: 'boolean' },
    updated_at: { type: 'datetime' },
  },
});
