import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so equal content gives equal text. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
          a < b ? -1 : a > b ? 1 : 0,
        ),
      );
    }
    return v;
  });
}

/** The content hash every store compares to skip rewriting an unchanged record. */
export function contentHash(data: Record<string, unknown>): string {
  return createHash('sha1').update(stableStringify(data)).digest('hex');
}
