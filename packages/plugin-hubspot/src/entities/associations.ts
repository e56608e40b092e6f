import { defineEntity, type Page } from '@crmsync/core';
import type { HubspotClient, HubspotObject } from '../client.js';

/** One association of one type between two records: `<fromId>-<toId>-<typeId>`. */
export interface HubspotAssociationRow {
  id: string;
  from_object_type: string;
  from_id: string;
  to_object_type: string;
  to_id: string;
  association_type_id: number;
  association_category: string;
  association_label: string | null;
  source_updated_at: string;
}

/** The pairs synced, read from the side that has fewer records per link. */
export const ASSOCIATION_PAIRS = [
  { from: 'contacts', to: 'companies', fromType: '0-1', modified: 'lastmodifieddate' },
  { from: 'contacts', to: 'deals', fromType: '0-1', modified: 'lastmodifieddate' },
  { from: 'deals', to: 'companies', fromType: '0-3', modified: 'hs_lastmodifieddate' },
] as const;

/**
 * Contact↔company, contact↔deal and deal↔company links through the v4 associations API: the
 * source objects are paged (all of them on a full read, those changed since on a delta — an
 * association change moves the source's change stamp) and their links read 100 ids at a time
 * with `POST /crm/v4/associations/{from}/{to}/batch/read`.
 */
export const associations = defineEntity<HubspotClient, HubspotAssociationRow>({
  name: 'associations',
  displayName: 'Associations',
  description: 'contact↔company, contact↔deal and deal↔company links (v4 associations)',
  primaryKey: 'id',
  delta: { kind: 'updated-since', field: 'source_updated_at' },
  // HubSpot reports no removed link. A full read lists every link of every live object, so
  // the links it no longer returns are soft-deleted; a delta re-reads every link of each
  // changed object, one pair of object types at a time, so each page's sources are whole
  // groups and their links it no longer returns are soft-deleted too.
  fullReadDetectsDeletes: true,
  groupedBy: ['from_object_type', 'from_id', 'to_object_type'],
  updatedAtField: 'source_updated_at',
  dependsOn: ['contacts', 'companies', 'deals'],
  fields: {
    id: { type: 'string', required: true, description: '<fromId>-<toId>-<typeId>' },
    from_object_type: { type: 'string', required: true },
    from_id: { type: 'object_id', required: true },
    to_object_type: { type: 'string', required: true },
    to_id: { type: 'object_id', required: true },
    association_type_id: { type: 'integer', required: true },
    association_category: { type: 'string' },
    association_label: { type: 'string' },
    source_updated_at: { type: 'datetime' },
  },
  async *fetch(client, request) {
    const start = Number(request.checkpoint?.pair ?? 0);
    const limit = Math.min(100, Math.max(1, request.batchSize));
    for (let k = start; k < ASSOCIATION_PAIRS.length; k++) {
      const pair = ASSOCIATION_PAIRS[k] as (typeof ASSOCIATION_PAIRS)[number];
      const after =
        k === start && typeof request.checkpoint?.after === 'string'
          ? request.checkpoint.after
          : undefined;
      const sources: AsyncIterable<{ records: HubspotObject[]; after?: string }> =
        request.since || request.until
          ? client.searchChanged(pair.fromType, {
              property: pair.modified,
              since: request.since?.getTime() ?? 0,
              ...(request.until && { until: request.until.getTime() }),
              properties: [pair.modified],
              limit,
              signal: request.signal,
            })
          : client.listPages(pair.from, {
              properties: [pair.modified],
              limit,
              signal: request.signal,
              ...(after && { after }),
            });
      for await (const page of sources) {
        const updated = new Map(page.records.map((r) => [r.id, r.updatedAt]));
        const links = await client.readAssociations(
          pair.from,
          pair.to,
          [...updated.keys()],
          request.signal,
        );
        const records: HubspotAssociationRow[] = [];
        for (const link of links)
          for (const target of link.to)
            for (const type of target.associationTypes)
              records.push({
                id: `${link.from.id}-${target.toObjectId}-${type.typeId}`,
                from_object_type: pair.from,
                from_id: link.from.id,
                to_object_type: pair.to,
                to_id: String(target.toObjectId),
                association_type_id: type.typeId,
                association_category: type.category,
                association_label: type.label,
                source_updated_at: updated.get(link.from.id) ?? '',
              });
        const out: Page<HubspotAssociationRow> = {
          records,
          checkpoint: page.after ? { pair: k, after: page.after } : { pair: k + 1 },
          // Every link of these sources to this type, those with none left included.
          completeGroups: [...updated.keys()].map((id) => [pair.from, id, pair.to]),
        };
        yield out;
      }
    }
  },
});
