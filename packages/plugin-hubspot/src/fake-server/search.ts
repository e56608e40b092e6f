/**
 * HubSpot's search semantics: filter groups are OR-ed, filters inside a group AND-ed;
 * values compare as numbers when both sides are numbers or datetimes (HubSpot accepts
 * epoch ms or ISO strings for datetime properties), as case-insensitive strings otherwise.
 */

export interface SearchFilter {
  propertyName: string;
  operator: string;
  value?: unknown;
  highValue?: unknown;
  values?: unknown[];
}

export interface SearchSort {
  propertyName: string;
  direction: 'ASCENDING' | 'DESCENDING';
}

export const OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

const ISO = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A comparable form: epoch ms for datetimes, a number for numerals, else lower-case text. */
export function comparable(value: unknown): number | string | null {
  if (value === null || value === undefined || value === '') return null;
  const text = String(value).trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (ISO.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  }
  return text.toLowerCase();
}

function compare(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

export function matchesFilter(actual: unknown, filter: SearchFilter): boolean {
  const have = comparable(actual);
  const op = filter.operator;
  if (op === 'HAS_PROPERTY') return have !== null;
  if (op === 'NOT_HAS_PROPERTY') return have === null;
  if (op === 'IN' || op === 'NOT_IN') {
    const list = (filter.values ?? []).map(comparable);
    const found = have !== null && list.some((v) => v !== null && compare(have, v) === 0);
    return op === 'IN' ? found : !found;
  }
  if (op === 'CONTAINS_TOKEN' || op === 'NOT_CONTAINS_TOKEN') {
    const token = String(filter.value ?? '')
      .toLowerCase()
      .replaceAll('*', '');
    const found = have !== null && String(actual).toLowerCase().includes(token);
    return op === 'CONTAINS_TOKEN' ? found : !found;
  }
  const want = comparable(filter.value);
  if (op === 'NEQ') return have === null || want === null || compare(have, want) !== 0;
  if (have === null || want === null) return false;
  const c = compare(have, want);
  switch (op) {
    case 'EQ':
      return c === 0;
    case 'LT':
      return c < 0;
    case 'LTE':
      return c <= 0;
    case 'GT':
      return c > 0;
    case 'GTE':
      return c >= 0;
    case 'BETWEEN': {
      const high = comparable(filter.highValue);
      return c >= 0 && high !== null && compare(have, high) <= 0;
    }
    default:
      return false;
  }
}

/** Sorts arrive as objects or as strings (`"hs_lastmodifieddate"`, `"-createdate"`). */
export function parseSorts(raw: unknown): SearchSort[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((s): SearchSort[] => {
    if (typeof s === 'string') {
      const desc = s.startsWith('-');
      return [
        { propertyName: desc ? s.slice(1) : s, direction: desc ? 'DESCENDING' : 'ASCENDING' },
      ];
    }
    if (s && typeof s === 'object' && typeof (s as SearchSort).propertyName === 'string') {
      const dir = String((s as SearchSort).direction ?? 'ASCENDING').toUpperCase();
      return [
        {
          propertyName: (s as SearchSort).propertyName,
          direction: dir === 'DESCENDING' ? 'DESCENDING' : 'ASCENDING',
        },
      ];
    }
    return [];
  });
}

export function compareBy(a: unknown, b: unknown, direction: SearchSort['direction']): number {
  const ca = comparable(a);
  const cb = comparable(b);
  // HubSpot puts records without the property last whatever the direction.
  if (ca === null || cb === null) return ca === cb ? 0 : ca === null ? 1 : -1;
  const c = compare(ca, cb);
  return direction === 'DESCENDING' ? -c : c;
}
