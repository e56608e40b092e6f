import { defineEntity } from '@crmsync/core';
import type { HubspotClient } from '../client.js';

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
 * and owners missing from a complete read are soft-deleted.
 */
export const owners = defineEntity<HubspotClient, HubspotOwner>({
  name: 'owners',
  displayName: 'Owners',
  primaryKey: 'id',
  delta: { kind: 'none' },
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
  async *fetch(client, request) {
    let after =
      typeof request.checkpoint?.after === 'string' ? request.checkpoint.after : undefined;
    for (;;) {
      const body = await client.get<{
        results: HubspotOwner[];
        paging?: { next?: { after?: string } };
      }>(
        '/crm/v3/owners',
        { limit: Math.min(100, Math.max(1, request.batchSize)), ...(after && { after }) },
        request.signal,
      );
      const next = body.paging?.next?.after;
      yield { records: body.results ?? [], ...(next && { checkpoint: { after: next } }) };
      if (!next) return;
      after = next;
    }
  },
});
