import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so equal content gives equal text. Exactly
 * `JSON.stringify` otherwise (toJSON, undefined members dropped, non-finite numbers as null):
 * stored hashes stay valid. Written out by hand because it runs once per synced record.
 */
export function stableStringify(value: unknown): string {
  return write(value) ?? 'undefined';
}

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      const json = (value as { toJSON?: unknown }).toJSON;
      if (typeof json === 'function') return write(json.call(value));
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += write(value[i]) ?? 'null';
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = sortedKeys(record);
      let out = '{';
      let first = true;
      for (const key of keys) {
        const text = write(record[key]);
        if (text === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
        first = false;
      }
      return `${out}}`;
    }
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    default:
      // undefined, functions and symbols, as JSON.stringify leaves them out.
      return undefined;
  }
}

const INDEX = /^(?:0|[1-9]\d{0,9})$/;
const isIndex = (key: string) => INDEX.test(key) && Number(key) < 4_294_967_295;

/**
 * The key order of the historical definition (an object rebuilt from sorted entries): integer
 * keys first in numeric order — JavaScript puts them there whatever the insertion order, and
 * `Object.keys` already lists them so — then the other keys sorted.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  let split = 0;
  while (split < keys.length && isIndex(keys[split] as string)) split++;
  if (split === 0) return keys.sort();
  return [...keys.slice(0, split), ...keys.slice(split).sort()];
}

/** The content hash every store compares to skip rewriting an unchanged record. */
export function contentHash(data: Record<string, unknown>): string {
  return createHash('sha1').update(stableStringify(data)).digest('hex');
}
