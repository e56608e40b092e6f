import { objectEntity } from './objects.js';

/** Appointments: object type `0-421`, addressed by id (a name alias is not documented). */
export const appointments = objectEntity({
  name: 'appointments',
  displayName: 'Appointments',
  objectType: '0-421',
  modifiedProperty: 'hs_lastmodifieddate',
  fields: {
    hs_appointment_name: { type: 'string', source: 'properties.hs_appointment_name' },
    hs_appointment_start: { type: 'datetime', source: 'properties.hs_appointment_start' },
    hs_appointment_end: { type: 'datetime', source: 'properties.hs_appointment_end' },
    hs_pipeline: { type: 'string', source: 'properties.hs_pipeline' },
    hs_pipeline_stage: { type: 'string', source: 'properties.hs_pipeline_stage' },
    hs_createdate: { type: 'datetime', source: 'properties.hs_createdate' },
    hs_lastmodifieddate: { type: 'datetime', source: 'properties.hs_lastmodifieddate' },
  },
});
