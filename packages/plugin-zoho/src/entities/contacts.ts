import { moduleEntity } from './module.js';

/** Zoho Contacts: the standard fields typed up front, custom ones from the metadata. */
export const contacts = () =>
  moduleEntity({
    name: 'contacts',
    module: 'Contacts',
    displayName: 'Contacts',
    fields: {
      First_Name: { type: 'string', maxLength: 40 },
      Last_Name: { type: 'string', maxLength: 80 },
      Email: { type: 'email' },
      Phone: { type: 'string' },
      Account_Name: { type: 'json' },
    },
  });
