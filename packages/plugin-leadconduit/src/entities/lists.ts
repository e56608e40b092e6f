import { CrmsyncError, defineEntity, type FieldSchema } from '@crmsync/core';
import type { LeadConduitClient } from '../client.js';

export type LeadConduitItem = Record<string, unknown> & { id: string };

/**
 * An endpoint that answers everything at once as a bare array (`/flows`, `/destinations`):
 * no paging, no change filter, so every read is whole (unchanged rows are skipped by hash,
 * vanished ones soft-deleted).
 */
function wholeList(name: string, displayName: string, fields: FieldSchema) {
  return defineEntity<LeadConduitClient, LeadConduitItem>({
    name,
    displayName,
    description: `LeadConduit ${name}, read whole every run (the API does not page them)`,
    primaryKey: 'id',
    delta: { kind: 'none' },
    fields,
    async *fetch(client, request) {
      const res = await client.http.get<unknown>(`/${name}`, { signal: request.signal });
      if (!Array.isArray(res.body))
        throw new CrmsyncError(
          'data',
          `leadconduit ${name}: expected a JSON array, got ${typeof res.body}`,
          { crm: 'leadconduit', entity: name },
        );
      yield { records: res.body as LeadConduitItem[] };
    },
  });
}

export const flows = wholeList('flows', 'Flows', {
  id: { type: 'object_id', required: true },
  name: { type: 'string', required: true },
  enabled: { type: 'boolean' },
  sources: { type: 'json' },
  steps: { type: 'json' },
  created_at: { type: 'datetime' },
  updated_at: { type: 'datetime' },
});

export const destinations = wholeList('destinations', 'Destinations', {
  id: { type: 'object_id', required: true },
  name: { type: 'string', required: true },
  module_id: { type: 'string' },
  integration: { type: 'json' },
  created_at: { type: 'datetime' },
  updated_at: { type: 'datetime' },
});
