import { hash } from './data.js';
import { errorBody, HttpError } from './errors.js';

/** One associated object with every association type between the pair (v4 shape). */
export interface AssociationTarget {
  toObjectId: number;
  associationTypes: Array<{
    category: 'HUBSPOT_DEFINED' | 'USER_DEFINED';
    typeId: number;
    label: string | null;
  }>;
}

type Counts = (objectType: string) => number;

/**
 * Deterministic links of the fake account, defined from one side and answered from both:
 * contact → company (unlabeled 279 plus Primary 1), every third contact → a deal (4),
 * deal → company (341).
 */
const LINKS: Array<{
  from: string;
  to: string;
  target(i: number, counts: Counts, seed: number): number | null;
  types: AssociationTarget['associationTypes'];
  inverseTypes: AssociationTarget['associationTypes'];
}> = [
  {
    from: '0-1',
    to: '0-2',
    target: (i, counts, seed) => (counts('0-2') ? (hash(seed, 'cc', i) % counts('0-2')) + 1 : null),
    types: [
      { category: 'HUBSPOT_DEFINED', typeId: 279, label: null },
      { category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' },
    ],
    inverseTypes: [
      { category: 'HUBSPOT_DEFINED', typeId: 280, label: null },
      { category: 'HUBSPOT_DEFINED', typeId: 2, label: 'Primary' },
    ],
  },
  {
    from: '0-1',
    to: '0-3',
    target: (i, counts) =>
      i % 3 === 0 && counts('0-3') ? ((i / 3 - 1) % counts('0-3')) + 1 : null,
    types: [{ category: 'HUBSPOT_DEFINED', typeId: 4, label: null }],
    inverseTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }],
  },
  {
    from: '0-3',
    to: '0-2',
    target: (i, counts) => (counts('0-2') ? (i % counts('0-2')) + 1 : null),
    types: [{ category: 'HUBSPOT_DEFINED', typeId: 341, label: null }],
    inverseTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 342, label: null }],
  },
];

/** The key of a link a test removed, as `removed` sets hold it (both directions are added). */
export function linkKey(from: string, fromId: number, to: string, toId: number): string {
  return `${from}:${fromId}:${to}:${toId}`;
}

/** The objects of type `to` that object `id` of type `from` is associated with, by id. */
export function associationsOf(
  from: string,
  id: number,
  to: string,
  counts: Counts,
  seed: number,
  removed: ReadonlySet<string> = new Set(),
): AssociationTarget[] {
  if (id < 1 || id > counts(from)) return [];
  const out: AssociationTarget[] = [];
  for (const link of LINKS) {
    if (link.from === from && link.to === to) {
      const target = link.target(id, counts, seed);
      if (target !== null) out.push({ toObjectId: target, associationTypes: link.types });
    } else if (link.from === to && link.to === from) {
      // The inverse side: a scan of the defining side (the fake's test sizes keep it cheap).
      for (let i = 1; i <= counts(to); i++)
        if (link.target(i, counts, seed) === id)
          out.push({ toObjectId: i, associationTypes: link.inverseTypes });
    }
  }
  return out.filter((target) => !removed.has(linkKey(from, id, to, target.toObjectId)));
}

/** `POST /crm/v4/associations/{from}/{to}/batch/read`: 200, or 207 with `errors` for unknown ids. */
export function batchReadAssociations(
  from: string,
  to: string,
  json: Record<string, unknown>,
  counts: Counts,
  seed: number,
  removed: ReadonlySet<string>,
) {
  const inputs = (Array.isArray(json.inputs) ? json.inputs : []) as Array<{ id?: unknown }>;
  if (inputs.length > 1000)
    throw new HttpError(400, errorBody('Too many inputs: at most 1000', 'VALIDATION_ERROR'));
  const results: unknown[] = [];
  const errors: unknown[] = [];
  for (const input of inputs) {
    const id = Number(input.id);
    if (!Number.isInteger(id) || id < 1 || id > counts(from)) {
      errors.push({
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        message: `No ${from} with id ${String(input.id)}`,
        context: { fromObjectId: [String(input.id)] },
      });
      continue;
    }
    const to_ = associationsOf(from, id, to, counts, seed, removed);
    if (to_.length) results.push({ from: { id: String(id) }, to: to_ });
  }
  const now = new Date().toISOString();
  const body = {
    status: 'COMPLETE',
    results,
    ...(errors.length && { numErrors: errors.length, errors }),
    startedAt: now,
    completedAt: now,
  };
  return { status: errors.length ? 207 : 200, body };
}
