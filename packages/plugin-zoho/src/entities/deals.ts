import { moduleEntity } from './module.js';

/** Zoho Deals: the standard fields typed up front, custom ones from the metadata. */
export const deals = () =>
  moduleEntity({
    name: 'deals',
    module: 'Deals',
    displayName: 'Deals',
    fields: {
      Deal_Name: { type: 'string', maxLength: 120 },
      Amount: { type: 'decimal' },
      Stage: { type: 'string' },
      Closing_Date: { type: 'date' },
      Probability: { type: 'integer' },
      Account_Name: { type: 'json' },
      Contact_Name: { type: 'json' },
    },
  });
