/**
 * A record's group under `fields` (see `GroupedDeletes.softDeleteMissingInGroups`): its values of them
 * as text, the way SQL reads them out of the stored JSON — a string as it is, a number in its
 * shortest form — or null when one is missing or null (such a record is in no group).
 */
export function groupOf(data: Record<string, unknown>, fields: readonly string[]): string[] | null {
  const values: string[] = [];
  for (const field of fields) {
    const value = Object.hasOwn(data, field) ? data[field] : undefined;
    if (value === null || value === undefined) return null;
    values.push(typeof value === 'string' ? value : JSON.stringify(value));
  }
  return values;
}

/** One string per group, to compare groups by value. */
export const groupKey = (values: readonly string[]): string => JSON.stringify(values);
