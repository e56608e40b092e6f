import { InputError } from '../contracts/errors.js';

/**
 * Naive wall-clock times ↔ instants for an IANA zone or a fixed offset, with Intl and no date
 * library. Databases and APIs that store local times without a zone (Genius's DATETIME columns,
 * MarketSharp's OData v2 DateTime) read and write through these.
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

/** A fixed offset as MySQL writes one (`-05:00`); Intl in Node 20 does not take these. */
const FIXED_OFFSET = /^([+-])(\d{2}):(\d{2})$/;

function fixedOffsetMs(timeZone: string): number | undefined {
  const m = FIXED_OFFSET.exec(timeZone);
  if (!m) return undefined;
  const ms = (Number(m[2]) * 60 + Number(m[3])) * 60_000;
  return m[1] === '-' ? -ms : ms;
}

/**
 * `timeZone` when this process can convert with it (an IANA zone, or a fixed offset such as
 * `-05:00` when `fixedOffsets` is set), else an InputError naming `setting`.
 */
export function assertTimeZone(
  timeZone: string,
  setting: string,
  options: { example?: string; fixedOffsets?: boolean } = {},
): string {
  if (options.fixedOffsets && fixedOffsetMs(timeZone) !== undefined) return timeZone;
  try {
    formatter(timeZone);
    return timeZone;
  } catch {
    const example = options.example ?? 'America/New_York';
    throw new InputError(
      setting,
      `an IANA time zone such as ${example}${options.fixedOffsets ? ' (or a fixed offset such as -05:00)' : ''}`,
      timeZone,
    );
  }
}

/** Offset of `timeZone` from UTC at the instant `ms`, in milliseconds. */
export function zoneOffsetAt(ms: number, timeZone: string): number {
  const fixed = fixedOffsetMs(timeZone);
  if (fixed !== undefined) return fixed;
  if (timeZone === 'UTC') return 0;
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(whole)))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(
    p.year ?? 1970,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  );
  return wall - whole;
}

const offsets = new Map<string, number>();

/**
 * The instant a naive wall-clock time names in `timeZone`; `wallMs` is that wall clock read as
 * UTC. In the hour a DST change repeats, the earlier instant wins.
 */
export function wallToInstant(wallMs: number, timeZone: string): number {
  if (timeZone === 'UTC') return wallMs;
  // Offsets change on quarter hours at most: cached per naive quarter hour (hot in big reads).
  const slot = `${timeZone}|${Math.floor(wallMs / 900_000)}`;
  let offset = offsets.get(slot);
  if (offset === undefined) {
    // Two passes settle the offset across a DST boundary.
    offset = zoneOffsetAt(wallMs - zoneOffsetAt(wallMs, timeZone), timeZone);
    if (offsets.size > 50_000) offsets.clear();
    offsets.set(slot, offset);
  }
  return wallMs - offset;
}

/** The wall clock of the instant `ms` in `timeZone`, read as UTC milliseconds. */
export function instantToWall(ms: number, timeZone: string): number {
  return timeZone === 'UTC' ? ms : ms + zoneOffsetAt(ms, timeZone);
}
