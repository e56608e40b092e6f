import { hash } from 'node:crypto';

const INDEX = /^(?:0|[1-9]\d{0,9})$/;
/** Whether JavaScript orders `key` as an array index; a key not starting with a digit never is. */
const isIndex = (key: string) => {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57 && INDEX.test(key) && Number(key) < 4_294_967_295;
};

/**
 * `value` with object keys sorted at every depth — the same object when it already is (a
 * mapped record built in field order usually is, so nothing is copied), else a sorted copy
 * of the parts that are not. The order is the historical definition's (an object rebuilt from
 * sorted entries): integer keys first in numeric order — JavaScript puts them there whatever
 * the insertion order, and `Object.keys` already lists them so — then the other keys sorted.
 */
function canonical(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    // Dates (the usual case) serialize to a string: nothing inside them to sort.
    if (value instanceof Date) return value;
    return canonical(toJSON.call(value));
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const c = canonical(item);
      if (c !== item) {
        copy ??= value.slice();
        copy[i] = c;
      }
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  let sorted = true;
  let changed = false;
  let previous: string | null = null;
  // for…in, not Object.keys: no array per record. It also visits inherited enumerable keys,
  // which can only make a sorted record look unsorted (the copy below, by own keys, is exact).
  for (const key in record) {
    if (previous !== null && previous > key && !isIndex(key) && !isIndex(previous)) sorted = false;
    if (!isIndex(key)) previous = key;
    const item = record[key];
    if (typeof item === 'object' && item !== null && canonical(item) !== item) changed = true;
  }
  if (sorted && !changed) return value;
  const out: Record<string, unknown> = {};
  const keys = Object.keys(record);
  for (const key of sorted ? keys : keys.sort()) out[key] = canonical(record[key]);
  return out;
}

/**
 * JSON with object keys sorted at every depth, so equal content gives equal text. Exactly
 * `JSON.stringify` otherwise (toJSON, undefined members dropped, non-finite numbers as null):
 * stored hashes stay valid. The text itself is the engine's native JSON.stringify: it runs
 * once per synced record.
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(canonical(value)) ?? 'undefined';
}

/** A record's content hash and the canonical JSON text it was computed from. */
export interface HashedContent {
  hash: string;
  json: string;
}

/**
 * The content hash every store compares to skip rewriting an unchanged record, with the
 * text it hashed: a store that keeps the data as JSON text writes that text as it is rather
 * than serializing the record a second time.
 */
export function hashContent(data: Record<string, unknown>): HashedContent {
  const json = stableStringify(data);
  return { hash: hash('sha1', json, 'hex'), json };
}

/** The content hash every store compares to skip rewriting an unchanged record. */
export function contentHash(data: Record<string, unknown>): string {
  return hashContent(data).hash;
}
