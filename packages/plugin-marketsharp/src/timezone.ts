import { InputError } from '@crmsync/core';

/**
 * MarketSharp's OData service speaks naive DateTimes (no zone) in the server's own time zone:
 * a filter literal must be written in it and every value read back from it. These helpers
 * turn an IANA zone's wall clock into instants and back with Intl, without a date library.
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

/** The zone, or an error naming the setting when Intl does not know it. */
export function assertTimeZone(timeZone: string, setting = 'MARKETSHARP_TIMEZONE'): string {
  try {
    formatter(timeZone);
    return timeZone;
  } catch {
    throw new InputError(setting, 'an IANA time zone such as America/Chicago', timeZone);
  }
}

/** Wall-clock time of `ms` in `timeZone`, as if it were UTC (milliseconds dropped). */
function wallAsUtc(ms: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(ms)))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(
    p.year ?? 1970,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  );
}

const offsets = new Map<string, number>();

/** Offset of `timeZone` from UTC at the instant `ms`. */
function offsetAt(ms: number, timeZone: string): number {
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  return wallAsUtc(whole, timeZone) - whole;
}

/**
 * The instant a naive wall-clock time names in `timeZone`; `wallMs` is that wall clock read
 * as UTC. In the hour a DST change repeats, the earlier instant wins.
 */
export function wallToInstant(wallMs: number, timeZone: string): number {
  if (timeZone === 'UTC') return wallMs;
  // Offsets change on quarter hours at most: cache per naive quarter hour (hot in big reads).
  const slot = `${timeZone}|${Math.floor(wallMs / 900_000)}`;
  let offset = offsets.get(slot);
  if (offset === undefined) {
    offset = offsetAt(wallMs - offsetAt(wallMs, timeZone), timeZone);
    if (offsets.size > 50_000) offsets.clear();
    offsets.set(slot, offset);
  }
  return wallMs - offset;
}

/** The wall clock of the instant `ms` in `timeZone`, read as UTC milliseconds. */
export function instantToWall(ms: number, timeZone: string): number {
  return timeZone === 'UTC' ? ms : ms + offsetAt(ms, timeZone);
}

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/;

/** `2024-01-02T03:04:05.123` → its wall clock as UTC ms; null when it is not one. */
export function parseNaive(text: string): number | null {
  const m = NAIVE.exec(text);
  if (!m) return null;
  const n = (i: number) => Number(m[i] ?? 0);
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6), ms);
}

/** A wall clock (UTC ms) as the OData v2 literal body `yyyy-mm-ddThh:mm:ss.fff`. */
export function formatNaive(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(0, 23);
}
