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

/**
 * A naive database datetime read in `timeZone` → the instant it names. In the hour a DST
 * change repeats, the earlier instant wins; zero dates (`0000-00-00 …`) become null.
 */
export function fromNaive(value: string, timeZone: string): Date | null {
  const m = NAIVE.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac] = m;
  if (Number(y) === 0 || Number(mo) === 0) return null;
  const ms = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
  const asUtc = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    ms,
  );
  // Two passes settle the offset across a DST boundary.
  let guess = asUtc - offsetMs(new Date(asUtc), timeZone);
  guess = asUtc - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}
