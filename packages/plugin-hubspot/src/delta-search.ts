import type { HttpResponse, Logger, Page } from '@crmsync/core';
import type { HubspotObject } from './types.js';

/** The two parts of the client a delta search uses (the client passes itself). */
export interface SearchClient {
  readonly searchCap: number;
  search<T>(objectType: string, body: unknown, signal: AbortSignal): Promise<HttpResponse<T>>;
}

/** Where a delta search got to: the last change stamp and the ids seen at it. */
export interface SearchPosition {
  property: string;
  since: number;
  until?: number;
  properties: string[];
  limit: number;
  signal: AbortSignal;
}

/** The record's change stamp in ms: the property the search filters on, else `updatedAt`. */
export function stampOf(r: HubspotObject, property: string): number {
  const raw = r.properties?.[property] ?? r.updatedAt;
  const text = String(raw ?? '');
  return /^\d+$/.test(text) ? Number(text) : Date.parse(text);
}

interface SearchAnswer {
  results: HubspotObject[];
  total?: number;
  paging?: { next?: { after?: string } };
}

const SEARCH_MAX = 200;

/**
 * Every record whose change stamp is in [since, until), ascending, each exactly once, past
 * the 10,000-results cap: when the next page would pass the cap, the search restarts at GTE
 * the last stamp seen and drops the ids already seen at that stamp. If a whole window holds
 * one stamp (a bulk import), the ties are read by `hs_object_id` and the search goes on at
 * GT that stamp.
 */
export async function* searchChanged(
  client: SearchClient,
  objectType: string,
  position: SearchPosition,
  logger: Logger,
): AsyncGenerator<Page<HubspotObject>> {
  const { property } = position;
  let from = position.since;
  let op: 'GTE' | 'GT' = 'GTE';
  let seenAtFrom = new Set<string>();
  let first = true;
  for (;;) {
    let lastTs = from;
    let seenAtLast = new Set(seenAtFrom);
    const filters = [
      { propertyName: property, operator: op, value: String(from) },
      ...(position.until !== undefined
        ? [{ propertyName: property, operator: 'LT', value: String(position.until) }]
        : []),
    ];
    let capped = false;
    for (let after = 0; ; ) {
      const limit = Math.min(SEARCH_MAX, position.limit, client.searchCap - after);
      const { body } = await client.search<SearchAnswer>(
        objectType,
        {
          filterGroups: [{ filters }],
          sorts: [{ propertyName: property, direction: 'ASCENDING' }],
          properties: position.properties,
          limit,
          ...(after > 0 && { after: String(after) }),
        },
        position.signal,
      );
      const records: HubspotObject[] = [];
      for (const r of body.results ?? []) {
        const ts = stampOf(r, property);
        if (ts === from && seenAtFrom.has(r.id)) continue;
        if (ts > lastTs) {
          lastTs = ts;
          seenAtLast = new Set();
        }
        if (ts === lastTs) seenAtLast.add(r.id);
        records.push(r);
      }
      yield {
        records,
        checkpoint: { phase: 'search', since: new Date(lastTs).toISOString() },
        ...(first && body.total !== undefined && { estimatedTotal: body.total }),
      };
      first = false;
      const next = body.paging?.next?.after;
      if (!next) return;
      after = Number(next);
      if (after >= client.searchCap) {
        capped = true;
        break;
      }
    }
    if (!capped) return;
    logger.debug('search reached its result cap; restarting from the last change stamp', {
      objectType,
      since: new Date(lastTs).toISOString(),
    });
    if (lastTs > from) {
      from = lastTs;
      op = 'GTE';
      seenAtFrom = seenAtLast;
      continue;
    }
    yield* ties(client, objectType, position, from, seenAtLast);
    op = 'GT';
    seenAtFrom = new Set();
  }
}

/** All records stamped exactly `ts`, by id, skipping those already read. */
async function* ties(
  client: SearchClient,
  objectType: string,
  position: SearchPosition,
  ts: number,
  seen: Set<string>,
): AsyncGenerator<Page<HubspotObject>> {
  let lastId = 0;
  for (;;) {
    let moved = false;
    const fromId = lastId;
    for (let after = 0; ; ) {
      const limit = Math.min(SEARCH_MAX, position.limit, client.searchCap - after);
      const { body } = await client.search<SearchAnswer>(
        objectType,
        {
          filterGroups: [
            {
              filters: [
                { propertyName: position.property, operator: 'EQ', value: String(ts) },
                { propertyName: 'hs_object_id', operator: 'GT', value: String(fromId) },
              ],
            },
          ],
          sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
          properties: position.properties,
          limit,
          ...(after > 0 && { after: String(after) }),
        },
        position.signal,
      );
      const records = (body.results ?? []).filter((r) => !seen.has(r.id));
      for (const r of body.results ?? []) lastId = Math.max(lastId, Number(r.id));
      if ((body.results ?? []).length) moved = true;
      yield { records, checkpoint: { phase: 'search', since: new Date(ts).toISOString() } };
      const next = body.paging?.next?.after;
      if (!next) return;
      after = Number(next);
      if (after >= client.searchCap) break;
    }
    if (!moved) return;
  }
}
