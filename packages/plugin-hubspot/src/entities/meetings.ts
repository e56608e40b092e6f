import { objectEntity } from './objects.js';

/** Meetings (engagement object 0-47). */
export const meetings = objectEntity({
  name: 'meetings',
  displayName: 'Meetings',
  objectType: 'meetings',
  modifiedProperty: 'hs_lastmodifieddate',
  fields: {
    hs_meeting_title: { type: 'string', source: 'properties.hs_meeting_title' },
    hs_meeting_start_time: { type: 'datetime', source: 'properties.hs_meeting_start_time' },
    hs_meeting_end_time: { type: 'datetime', source: 'properties.hs_meeting_end_time' },
    hs_meeting_outcome: { type: 'string', source: 'properties.hs_meeting_outcome' },
    hs_timestamp: { type: 'datetime', source: 'properties.hs_timestamp' },
    hubspot_owner_id: { type: 'object_id', source: 'properties.hubspot_owner_id' },
    hs_lastmodifieddate: { type: 'datetime', source: 'properties.hs_lastmodifieddate' },
  },
});
