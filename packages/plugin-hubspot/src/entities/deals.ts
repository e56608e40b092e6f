import { objectEntity } from './objects.js';

/** Deals (0-3). `amount` arrives as a string like every property; it is stored as a decimal. */
export const deals = objectEntity({
  name: 'deals',
  displayName: 'Deals',
  objectType: 'deals',
  modifiedProperty: 'hs_lastmodifieddate',
  fields: {
    dealname: { type: 'string', source: 'properties.dealname' },
    amount: { type: 'decimal', source: 'properties.amount' },
    dealstage: { type: 'string', source: 'properties.dealstage' },
    pipeline: { type: 'string', source: 'properties.pipeline' },
    closedate: { type: 'datetime', source: 'properties.closedate' },
    hubspot_owner_id: { type: 'object_id', source: 'properties.hubspot_owner_id' },
    createdate: { type: 'datetime', source: 'properties.createdate' },
    hs_lastmodifieddate: { type: 'datetime', source: 'properties.hs_lastmodifieddate' },
  },
});
