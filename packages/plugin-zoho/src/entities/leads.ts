import { moduleEntity } from './module.js';

/** Zoho Leads: the standard fields typed up front, custom ones from the metadata. */
export const leads = () =>
  moduleEntity({
    name: 'leads',
    module: 'Leads',
    displayName: 'Leads',
    fields: {
      First_Name: { type: 'string', maxLength: 40 },
      Last_Name: { type: 'string', maxLength: 80 },
      Company: { type: 'string', maxLength: 200 },
      Email: { type: 'email' },
      Lead_Status: { type: 'string' },
    },
  });
