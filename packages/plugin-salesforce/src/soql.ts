/**
 * SOQL pieces the plugin writes: datetime literals are unquoted (`2024-01-01T00:00:00Z`), and
 * Salesforce writes datetimes back with an offset lacking its colon (`…000+0000`).
 */

/** A SOQL datetime literal at whole seconds, rounded `down` (a lower bound) or `up`. */
export function soqlDateTime(date: Date, round: 'down' | 'up'): string {
  const ms = date.getTime();
  const s = round === 'down' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000);
  return new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const SF_DATETIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)(Z|[+-]\d\d:?\d\d)$/;

/**
 * A Salesforce datetime in ms: `2024-01-02T03:04:05.000+0000` (no colon in the offset), as
 * well as `Z` and `+05:30`. NaN when it is not one.
 */
export function parseSalesforceDateTime(text: string): number {
  const m = SF_DATETIME.exec(text);
  if (!m) return Number.NaN;
  const zone = m[2] as string;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  return Date.parse(`${m[1]}${offset}`);
}

/** An id literal for SOQL: quoted, with quotes and backslashes escaped. */
export const soqlString = (value: string) =>
  `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export interface SoqlRange {
  since?: Date | undefined;
  until?: Date | undefined;
  /** Keyset resume: records at or after this change time (the ones already read are skipped). */
  from?: Date | undefined;
}

/** `WHERE SystemModstamp >= … AND SystemModstamp < …` (empty when unbounded). */
export function modstampWhere(range: SoqlRange, extra: string[] = []): string {
  const conditions = [...extra];
  const bounds = [range.since, range.from].filter((d): d is Date => d !== undefined);
  const lower = bounds.length ? new Date(Math.max(...bounds.map((d) => d.getTime()))) : undefined;
  if (lower) conditions.push(`SystemModstamp >= ${soqlDateTime(lower, 'down')}`);
  if (range.until) conditions.push(`SystemModstamp < ${soqlDateTime(range.until, 'up')}`);
  return conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
}
