const DAY = 86_400_000;

export type DateWindow = { start: number; end: number } | { error: string };

/** Communication records are kept 25 months; older ranges are refused. */
export function retentionStart(now: number): number {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - 25);
  return d.getTime();
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function parse(value: string, endOfDay: boolean): number | null {
  if (DATE_ONLY.test(value)) {
    const t = Date.parse(`${value}T00:00:00Z`);
    return Number.isNaN(t) ? null : endOfDay ? t + DAY - 1 : t;
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

const RETENTION_ERROR =
  'The requested date range reaches past the 25 months of data CallRail keeps. Please narrow your date range.';

/**
 * The event-time window a list request selects, as CallRail reads `date_range` or
 * `start_date`/`end_date`. With neither, CallRail answers the `recent` range: the last
 * 30 days — silently, which is why a full sync must send an explicit `start_date`.
 * Date-only bounds are whole UTC days (end inclusive).
 */
export function dateWindow(query: URLSearchParams, now: number): DateWindow {
  const range = query.get('date_range');
  const startRaw = query.get('start_date');
  const endRaw = query.get('end_date');
  if (range && (startRaw || endRaw)) {
    return { error: 'date_range cannot be combined with start_date or end_date' };
  }
  const today = new Date(now);
  const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  if (range) {
    const y = today.getUTCFullYear();
    const m = today.getUTCMonth();
    switch (range) {
      case 'recent':
      case 'last_30_days':
        return { start: now - 30 * DAY, end: now };
      case 'today':
        return { start: midnight, end: now };
      case 'yesterday':
        return { start: midnight - DAY, end: midnight - 1 };
      case 'last_7_days':
        return { start: now - 7 * DAY, end: now };
      case 'this_month':
        return { start: Date.UTC(y, m, 1), end: now };
      case 'last_month':
        return { start: Date.UTC(y, m - 1, 1), end: Date.UTC(y, m, 1) - 1 };
      case 'this_year':
        return { start: Date.UTC(y, 0, 1), end: now };
      case 'last_year':
        return { start: Date.UTC(y - 1, 0, 1), end: Date.UTC(y, 0, 1) - 1 };
      case 'all_time':
        return { error: RETENTION_ERROR };
      default:
        return { error: `Invalid date_range: ${range}` };
    }
  }
  if (!startRaw && !endRaw) return { start: now - 30 * DAY, end: now };
  const start = startRaw ? parse(startRaw, false) : retentionStart(now);
  const end = endRaw ? parse(endRaw, true) : now;
  if (start === null) return { error: `Invalid start_date: ${startRaw}` };
  if (end === null) return { error: `Invalid end_date: ${endRaw}` };
  if (start < retentionStart(now)) return { error: RETENTION_ERROR };
  if (end < start) return { error: 'end_date must be after start_date' };
  return { start, end };
}
