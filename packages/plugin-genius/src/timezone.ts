import {
  assertTimeZone as assertZone,
  instantToWall,
  wallToInstant,
  zoneOffsetAt,
} from '@crmsync/core';

/**
 * Genius stores naive DATETIME values in the database's own time zone. These helpers turn
 * them into instants and back (core's zone arithmetic), and bound delta windows across DST.
 */

/** An IANA zone (`America/New_York`) or a fixed offset (`-05:00`), else an InputError. */
export function assertTimeZone(timeZone: string): string {
  return assertZone(timeZone, 'GENIUS_TIMEZONE', { fixedOffsets: true });
}

/** Whether `timeZone` names a zone this process can convert with. */
export function isTimeZone(timeZone: string): boolean {
  try {
    assertTimeZone(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `timeZone` from UTC at `date`, in milliseconds. */
export function offsetMs(date: Date, timeZone: string): number {
  return zoneOffsetAt(date.getTime(), timeZone);
}

/** An instant as the naive `YYYY-MM-DD HH:MM:SS.mmm` the database compares with. */
export function toNaive(date: Date, timeZone: string): string {
  return utcAsNaive(instantToWall(date.getTime(), timeZone));
}

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** A naive `YYYY-MM-DD HH:MM:SS[.ffffff]` as its wall clock read as UTC ms (fixed positions: the hot path of large reads). */
function parseNaive(value: string): number | null {
  if (!NAIVE.test(value)) return null;
  const n = (from: number, to: number) => Number(value.slice(from, to));
  const year = n(0, 4);
  const month = n(5, 7);
  if (year === 0 || month === 0) return null;
  const ms = value.length > 20 ? Number(value.slice(20, 23).padEnd(3, '0')) : 0;
  return Date.UTC(year, month - 1, n(8, 10), n(11, 13), n(14, 16), n(17, 19), ms);
}

/**
 * A naive database datetime read in `timeZone` → the instant it names. In the hour a DST
 * change repeats, the earlier instant wins; zero dates (`0000-00-00 …`) become null.
 */
export function fromNaive(value: string, timeZone: string): Date | null {
  const parsed = parseNaive(value);
  if (parsed === null) return null;
  return new Date(wallToInstant(parsed, timeZone));
}

const HOUR_MS = 3_600_000;

/** Epoch milliseconds already shifted into a zone, written as that zone's naive datetime. */
function utcAsNaive(shifted: number): string {
  return new Date(shifted).toISOString().replace('T', ' ').slice(0, 23);
}

/**
 * The naive lower bound a delta from `since` must compare with so that no row written at or
 * after `since` (until `now`) is missed: a clock going back (DST fall-back) writes naive
 * times earlier than the naive form of `since`, so the bound is moved back by however far
 * the zone's offset drops anywhere in between — the overlap extended across transitions.
 */
export function naiveLowerBound(since: Date, timeZone: string, now = new Date()): string {
  let lowest = offsetMs(since, timeZone);
  // Offsets hold for months: a sample every 6 hours (and at both ends) sees every one.
  const end = Math.max(since.getTime(), now.getTime());
  for (let t = since.getTime(); ; t = Math.min(end, t + 6 * HOUR_MS)) {
    lowest = Math.min(lowest, offsetMs(new Date(t), timeZone));
    if (t >= end) break;
  }
  return utcAsNaive(since.getTime() + lowest);
}

/**
 * The naive upper bound (exclusive) for rows written before `until`: a clock going forward
 * later in the window may have written naive times beyond the naive form of `until`, so the
 * bound moves forward by however far the offset rises from `from` to `until`.
 */
export function naiveUpperBound(until: Date, timeZone: string, from: Date): string {
  let highest = offsetMs(until, timeZone);
  for (let t = from.getTime(); t < until.getTime(); t += 6 * HOUR_MS)
    highest = Math.max(highest, offsetMs(new Date(t), timeZone));
  return utcAsNaive(until.getTime() + highest);
}

/**
 * `fromNaive(value, timeZone)?.toISOString() ?? null`, with a string-only fast path for a
 * database kept in UTC (the common case, and the hot loop of a million-row read).
 */
export function naiveToIso(value: string, timeZone: string): string | null {
  const plain =
    value.length === 19 &&
    value.charCodeAt(4) === 45 &&
    value.charCodeAt(10) === 32 &&
    value.charCodeAt(13) === 58 &&
    !value.startsWith('0000') &&
    !value.startsWith('00', 5);
  if (plain && timeZone === 'UTC') return `${value.slice(0, 10)}T${value.slice(11)}.000Z`;
  if (plain) {
    // Another zone: the UTC date and hour of a naive hour are the same for every minute of it
    // when the zone keeps one whole-hour offset through that hour (US zones always do, a DST
    // change included), so they are worked out once per hour and the minutes copied over.
    let hours = hourPrefixes.get(timeZone);
    if (!hours) {
      hours = new Map();
      hourPrefixes.set(timeZone, hours);
    }
    const hour = value.slice(0, 13);
    let prefix = hours.get(hour);
    if (prefix === undefined) {
      const start = fromNaive(`${hour}:00:00`, timeZone);
      const end = fromNaive(`${hour}:59:59`, timeZone);
      prefix =
        start && end && end.getTime() - start.getTime() === 3_599_000 && start.getUTCMinutes() === 0
          ? start.toISOString().slice(0, 13)
          : null;
      if (hours.size > 50_000) hours.clear();
      hours.set(hour, prefix);
    }
    if (prefix !== null) return `${prefix}${value.slice(13)}.000Z`;
  }
  return fromNaive(value, timeZone)?.toISOString() ?? null;
}

/** Per zone: naive `YYYY-MM-DD HH` → the UTC `YYYY-MM-DDTHH` it names, or null when minutes differ. */
const hourPrefixes = new Map<string, Map<string, string | null>>();
