import { objectEntity } from './objects.js';

/** Contacts (0-1). Their change stamp is `lastmodifieddate`, not `hs_lastmodifieddate`. */
export const contacts = objectEntity({
  name: 'contacts',
  displayName: 'Contacts',
  objectType: 'contacts',
  modifiedProperty: 'lastmodifieddate',
  fields: {
    email: { type: 'email', source: 'properties.email' },
    firstname: { type: 'string', source: 'properties.firstname' },
    lastname: { type: 'string', source: 'properties.lastname' },
    phone: { type: 'phone', source: 'properties.phone' },
    company: { type: 'string', source: 'properties.company' },
    address: { type: 'string', source: 'properties.address' },
    city: { type: 'string', source: 'properties.city' },
    state: { type: 'state', source: 'properties.state' },
    zip: { type: 'zip_code', source: 'properties.zip' },
    lifecyclestage: { type: 'string', source: 'properties.lifecyclestage', indexed: true },
    hubspot_owner_id: {
      type: 'object_id',
      source: 'properties.hubspot_owner_id',
      indexed: true,
    },
    createdate: { type: 'datetime', source: 'properties.createdate' },
    lastmodifieddate: {
      type: 'datetime',
      source: 'properties.lastmodifieddate',
      indexed: true,
    },
  },
});
