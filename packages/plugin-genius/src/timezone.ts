import { InputError } from '@crmsync/core';

/**
 * Genius stores naive DATETIME values in the database's own time zone. These helpers turn
 * them into instants and back, for an IANA zone, without a date library.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function assertTimeZone(timeZone: string): string {
  try {
    formatter(timeZone);
    return timeZone;
  } catch {
    throw new InputError('GENIUS_TIMEZONE', 'an IANA time zone such as America/New_York', timeZone);
  }
}

/** Wall-clock parts of `date` in `timeZone`. */
function wallClock(date: Date, timeZone: string): number[] {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(date)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return [
    parts.year ?? 0,
    parts.month ?? 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  ];
}

/** Offset of `timeZone` from UTC at `date`, in milliseconds. */
function offsetMs(date: Date, timeZone: string): number {
  const [y, mo, d, h, mi, s] = wallClock(date, timeZone) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  return asUtc - (date.getTime() - date.getUTCMilliseconds());
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** An instant as the naive `YYYY-MM-DD HH:MM:SS.mmm` the database compares with. */
export function toNaive(date: Date, timeZone: string): string {
  const [y, mo, d, h, mi, s] = wallClock(date, timeZone) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}.${pad(date.getUTCMilliseconds(), 3)}`;
}

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** Fields of a naive `YYYY-MM-DD HH:MM:SS[.ffffff]` (fixed positions: the hot path of large reads). */
function parseNaive(value: string): { asUtc: number; minute: number } | null {
  if (!NAIVE.test(value)) return null;
  const n = (from: number, to: number) => Number(value.slice(from, to));
  const year = n(0, 4);
  const month = n(5, 7);
  if (year === 0 || month === 0) return null;
  const ms = value.length > 20 ? Number(value.slice(20, 23).padEnd(3, '0')) : 0;
  const minute = n(14, 16);
  return { asUtc: Date.UTC(year, month - 1, n(8, 10), n(11, 13), minute, n(17, 19), ms), minute };
}

/**
 * A naive database datetime read in `timeZone` → the instant it names. In the hour a DST
 * change repeats, the earlier instant wins; zero dates (`0000-00-00 …`) become null.
 */
export function fromNaive(value: string, timeZone: string): Date | null {
  const parsed = parseNaive(value);
  if (!parsed) return null;
  const { asUtc, minute: mi } = parsed;
  if (timeZone === 'UTC') return new Date(asUtc);
  // Zones change offset on quarter hours at most, so the offset of a naive quarter hour is
  // cached: Intl formatting for every value would dominate the cost of a large read.
  const slot = `${timeZone}|${value.slice(0, 14)}${Math.floor(mi / 15)}`;
  let offset = offsetCache.get(slot);
  if (offset === undefined) {
    // Two passes settle the offset across a DST boundary.
    offset = offsetMs(new Date(asUtc - offsetMs(new Date(asUtc), timeZone)), timeZone);
    if (offsetCache.size > 50_000) offsetCache.clear();
    offsetCache.set(slot, offset);
  }
  return new Date(asUtc - offset);
}

const offsetCache = new Map<string, number>();

/**
 * `fromNaive(value, timeZone)?.toISOString() ?? null`, with a string-only fast path for a
 * database kept in UTC (the common case, and the hot loop of a million-row read).
 */
export function naiveToIso(value: string, timeZone: string): string | null {
  if (
    timeZone === 'UTC' &&
    value.length === 19 &&
    value.charCodeAt(4) === 45 &&
    value.charCodeAt(10) === 32 &&
    value.charCodeAt(13) === 58 &&
    !value.startsWith('0000') &&
    !value.startsWith('00', 5)
  ) {
    return `${value.slice(0, 10)}T${value.slice(11)}.000Z`;
  }
  return fromNaive(value, timeZone)?.toISOString() ?? null;
}
