import { restEntity } from '@crmsync/core';

export interface HubspotOwner {
  id: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  userId?: number;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
}

/**
 * Owners (`/crm/v3/owners`): a short list with no change filter, so every run reads it all
 * and owners missing from a complete read are soft-deleted. A few requests a run, so the
 * rate-limit headroom the client watches on big lists is not watched here.
 */
export const owners = restEntity<HubspotOwner>({
  name: 'owners',
  displayName: 'Owners',
  path: '/crm/v3/owners',
  records: 'results',
  pagination: { style: 'cursor', param: 'after', next: 'paging.next.after', limitParam: 'limit' },
  pageSize: { default: 100, max: 100 },
  updatedAtField: 'updated_at',
  createdAtField: 'created_at',
  fields: {
    id: { type: 'object_id', required: true },
    email: { type: 'email' },
    first_name: { type: 'string', source: 'firstName' },
    last_name: { type: 'string', source: 'lastName' },
    user_id: { type: 'integer', source: 'userId' },
    created_at: { type: 'datetime', source: 'createdAt' },
    updated_at: { type: 'datetime', source: 'updatedAt' },
    archived: { type: 'boolean' },
  },
});
