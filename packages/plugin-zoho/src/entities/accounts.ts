import { moduleEntity } from './module.js';

/** Zoho Accounts: the standard fields typed up front, custom ones from the metadata. */
export const accounts = () =>
  moduleEntity({
    name: 'accounts',
    module: 'Accounts',
    displayName: 'Accounts',
    fields: {
      Account_Name: { type: 'string', maxLength: 200 },
      Phone: { type: 'string' },
      Website: { type: 'url' },
      Industry: { type: 'string' },
    },
  });
