import { decodeAfter, encodeAfter, errorBody, HttpError } from './errors.js';

/** Owner `i` (ids 101…100+count), as `/crm/v3/owners/{id}` returns it. */
export function ownerRecord(i: number, count: number) {
  if (i < 101 || i > 100 + count)
    throw new HttpError(404, errorBody('Owner not found', 'OBJECT_NOT_FOUND'));
  const at = new Date(Date.UTC(2024, 0, i % 28 || 1)).toISOString();
  return {
    id: String(i),
    email: `owner${i}@example.com`,
    type: 'PERSON',
    firstName: `Owner`,
    lastName: `No${i}`,
    userId: 9000 + i,
    createdAt: at,
    updatedAt: at,
    archived: false,
    teams: [],
  };
}

/** `GET /crm/v3/owners`: `after` paging, no `paging` on the last page. */
export function ownersList(url: URL, count: number) {
  const limit = Math.min(500, Number(url.searchParams.get('limit') ?? 100));
  const start = decodeAfter(url.searchParams.get('after'));
  const results = [];
  for (let k = start; k < Math.min(count, start + limit); k++)
    results.push(ownerRecord(101 + k, count));
  const next =
    start + limit < count ? { paging: { next: { after: encodeAfter(start + limit) } } } : {};
  return { results, ...next };
}
