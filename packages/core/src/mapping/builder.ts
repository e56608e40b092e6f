import type { FieldType } from '../contracts/fields.js';
import { coerceValue } from './coerce.js';
import { compilePath, isInheritedName } from './path.js';

/** One field of a mapped record: its name, where it is read from, and its type. */
export interface BuiltField {
  name: string;
  /** Dot path in the raw record (`properties.email`); the field's own name by default. */
  source: string;
  type: FieldType;
}

type Build = (raw: Record<string, unknown>) => Record<string, unknown>;

/**
 * A function that builds a record's `data` from a raw record: each field read from its
 * source and parsed to its type, in the order given. It is generated once per entity as a
 * single object literal — V8 creates an object of known shape in one step, where adding the
 * same keys one by one walks its shape transitions for every record (measured on 200,000
 * records of 13 fields: 8–15 ms instead of 92–171 ms). Names and paths enter the generated
 * code only as JSON string literals; an entity with a `__proto__` field (which a literal
 * would take for the prototype) is built key by key instead.
 */
export function compileRecordBuilder(fields: readonly BuiltField[]): Build {
  const coerce = fields.map(
    (field) =>
      (value: unknown): unknown =>
        coerceValue(field.type, value),
  );
  const read = fields.map((field) => compilePath(field.source));
  if (fields.some((field) => field.name === '__proto__')) {
    return (raw) => {
      const data: Record<string, unknown> = {};
      fields.forEach((field, i) => {
        Object.defineProperty(data, field.name, {
          value: coerce[i]?.(read[i]?.(raw)),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      });
      return data;
    };
  }
  const members = fields.map((field, i) => {
    // A plain own field is read in place; a dot path or an inherited name through its reader.
    const value =
      field.source.includes('.') || isInheritedName(field.source)
        ? `r[${i}](raw)`
        : `raw[${JSON.stringify(field.source)}]`;
    return `${JSON.stringify(field.name)}: c[${i}](${value})`;
  });
  const make = new Function('c', 'r', `return (raw) => ({ ${members.join(', ')} });`) as (
    c: typeof coerce,
    r: typeof read,
  ) => Build;
  return make(coerce, read);
}
