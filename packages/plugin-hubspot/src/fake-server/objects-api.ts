import { type HubspotObject, modifiedProperty, type ObjectStore } from './data.js';
import { decodeAfter, encodeAfter, errorBody, HttpError } from './errors.js';
import {
  comparable,
  compareBy,
  matchesFilter,
  OPERATORS,
  parseSorts,
  type SearchFilter,
} from './search.js';

/** Properties returned when a read names none (HubSpot's defaults). */
const DEFAULT_PROPERTIES: Record<string, string[]> = {
  '0-1': ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
};

/** A record with only the asked-for properties (unknown names are left out, as HubSpot does). */
export function view(
  store: ObjectStore,
  o: HubspotObject,
  properties: string | string[] | null,
): HubspotObject {
  const wanted =
    typeof properties === 'string' ? properties.split(',').filter(Boolean) : (properties ?? []);
  const names = wanted.length
    ? wanted
    : (DEFAULT_PROPERTIES[store.objectType] ?? [
        'hs_object_id',
        'hs_createdate',
        modifiedProperty(store.objectType),
      ]);
  const picked: Record<string, string | null> = {};
  for (const n of names) if (n in o.properties) picked[n] = o.properties[n] ?? null;
  return { ...o, properties: picked };
}

/** `GET /crm/v3/objects/{type}`: id order, opaque `after`, no `paging` on the last page. */
export function listObjects(store: ObjectStore, url: URL, limit: number) {
  const q = url.searchParams;
  const archived = q.get('archived') === 'true';
  const results: HubspotObject[] = [];
  let i = Math.max(1, decodeAfter(q.get('after')));
  for (; i <= store.size && results.length < limit; i++) {
    if (store.isArchived(i) !== archived) continue;
    const o = store.get(i);
    if (o) results.push(view(store, o, q.get('properties')));
  }
  while (i <= store.size && store.isArchived(i) !== archived) i++;
  return i <= store.size
    ? { results, paging: { next: { after: encodeAfter(i), link: `?after=${encodeAfter(i)}` } } }
    : { results };
}

/** `POST /crm/v3/objects/{type}/search`: filters, one sort, offset `after`, `total`, the result cap. */
export function searchObjects(
  store: ObjectStore,
  body: Record<string, unknown>,
  limit: number,
  searchCap: number,
) {
  const offset = body.after === undefined || body.after === null ? 0 : Number(body.after);
  if (!Number.isInteger(offset) || offset < 0)
    throw new HttpError(400, errorBody(`Invalid after: ${String(body.after)}`, 'VALIDATION_ERROR'));
  if (offset >= searchCap)
    throw new HttpError(
      400,
      errorBody(
        `Paging beyond ${searchCap} results is not supported. Refine your search.`,
        'VALIDATION_ERROR',
      ),
    );
  const groups = (Array.isArray(body.filterGroups) ? body.filterGroups : []) as Array<{
    filters?: SearchFilter[];
  }>;
  const total = groups.reduce((n, g) => n + (g.filters?.length ?? 0), 0);
  if (groups.length > 5 || total > 25 || groups.some((g) => (g.filters?.length ?? 0) > 10))
    throw new HttpError(
      400,
      errorBody(
        'Too many filter groups or filters (max 5 groups, 10 per group, 25 in all)',
        'VALIDATION_ERROR',
      ),
    );
  for (const g of groups)
    for (const f of g.filters ?? [])
      if (!OPERATORS.has(f.operator))
        throw new HttpError(400, errorBody(`Invalid operator ${f.operator}`, 'VALIDATION_ERROR'));
  const modified = modifiedProperty(store.objectType);
  // Change stamps and ids are read without building records: scans of 100k stay cheap.
  const value = (i: number, name: string): unknown =>
    name === modified
      ? new Date(store.updatedAtMs(i)).toISOString()
      : name === 'hs_object_id'
        ? String(i)
        : store.get(i)?.properties[name];
  const ids: number[] = [];
  for (let i = 1; i <= store.size; i++) {
    if (store.isArchived(i)) continue;
    if (
      groups.length &&
      !groups.some((g) =>
        (g.filters ?? []).every((f) => matchesFilter(value(i, f.propertyName), f)),
      )
    )
      continue;
    ids.push(i);
  }
  const [sort] = parseSorts(body.sorts);
  if (sort) {
    const keyed = ids.map((i) => ({ i, v: comparable(value(i, sort.propertyName)) }));
    keyed.sort((a, b) => compareBy(a.v, b.v, sort.direction) || a.i - b.i);
    ids.splice(0, ids.length, ...keyed.map((k) => k.i));
  }
  const page = ids.slice(offset, offset + limit);
  const properties = Array.isArray(body.properties) ? (body.properties as string[]) : null;
  const results = page.map((i) => view(store, store.get(i) as HubspotObject, properties));
  const next =
    offset + limit < ids.length ? { paging: { next: { after: String(offset + limit) } } } : {};
  return { total: ids.length, results, ...next };
}

/**
 * `POST /crm/v3/objects/{type}/batch/read` `{inputs:[{id}], properties}` (≤ 100 ids): 200, or
 * 207 with one `OBJECT_NOT_FOUND` error listing the ids it has not (archived ones included,
 * since the request does not ask for `archived`).
 */
export function batchReadObjects(store: ObjectStore, json: Record<string, unknown>) {
  const inputs = json.inputs;
  if (!Array.isArray(inputs))
    throw new HttpError(
      400,
      errorBody('Invalid input JSON: inputs must be an array', 'VALIDATION_ERROR'),
    );
  if (inputs.length > 100)
    throw new HttpError(400, errorBody('Too many inputs: at most 100', 'VALIDATION_ERROR'));
  const properties = Array.isArray(json.properties) ? (json.properties as string[]) : null;
  const results: HubspotObject[] = [];
  const missing: string[] = [];
  for (const input of inputs as Array<{ id?: unknown }>) {
    const o = store.get(Number(input.id));
    if (!o || o.archived) missing.push(String(input.id));
    else results.push(view(store, o, properties));
  }
  const now = new Date().toISOString();
  const errors = missing.length
    ? [
        {
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          message: `Could not get some ${store.objectType} objects, they may be deleted or not exist. Check that ids are valid.`,
          context: { ids: missing },
        },
      ]
    : [];
  return {
    status: errors.length ? 207 : 200,
    body: {
      status: 'COMPLETE',
      results,
      ...(errors.length && { numErrors: errors.length, errors }),
      startedAt: now,
      completedAt: now,
    },
  };
}
