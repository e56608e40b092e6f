import { objectEntity } from './objects.js';

/** Companies (0-2). */
export const companies = objectEntity({
  name: 'companies',
  displayName: 'Companies',
  objectType: 'companies',
  modifiedProperty: 'hs_lastmodifieddate',
  fields: {
    name: { type: 'string', source: 'properties.name' },
    domain: { type: 'string', source: 'properties.domain' },
    phone: { type: 'phone', source: 'properties.phone' },
    city: { type: 'string', source: 'properties.city' },
    state: { type: 'state', source: 'properties.state' },
    industry: { type: 'string', source: 'properties.industry' },
    createdate: { type: 'datetime', source: 'properties.createdate' },
    hs_lastmodifieddate: { type: 'datetime', source: 'properties.hs_lastmodifieddate' },
  },
});
