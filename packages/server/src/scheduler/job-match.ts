import type { JobParameters } from 'agenda';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/**
 * Whether `data` contains `pattern` (objects: every key of the pattern matches, recursively;
 * anything else: equal as JSON), like PostgreSQL's `jsonb @>` that Agenda's own backends use.
 */
export function dataMatches(data: unknown, pattern: unknown): boolean {
  if (isObject(pattern)) {
    if (!isObject(data)) return false;
    return Object.entries(pattern).every(([k, v]) => dataMatches(data[k], v));
  }
  return JSON.stringify(data) === JSON.stringify(pattern);
}

/** Whether a job satisfies an Agenda `unique` constraint (`{ 'data.userId': 7, name: 'x' }`). */
export function matchesUnique(job: JobParameters, unique: Record<string, unknown>): boolean {
  return Object.entries(unique).every(([key, expected]) => {
    let value: unknown = job;
    for (const part of key.split('.')) value = isObject(value) ? value[part] : undefined;
    return dataMatches(value, expected);
  });
}
