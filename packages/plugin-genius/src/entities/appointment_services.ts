import { geniusEntity } from './table.js';

// Small reference table without an update timestamp: re-read whole every run.
export const appointmentServices = geniusEntity({
  name: 'appointment_services',
  displayName: 'Appointment services',
  table: 'appointment_to_service',
  key: 'id',
  fields: {
    id: { type: 'integer', required: true },
    appointment_id: { type: 'integer', required: true },
    service_id: { type: 'integer', required: true },
  },
});
