import { isTimeZone, offsetMs } from './timezone.js';

/** What the server says about its clock: `@@time_zone`, `@@system_time_zone`, NOW() − UTC. */
export interface ServerClock {
  sessionZone: string;
  systemZone: string;
  /** NOW() − UTC_TIMESTAMP() in seconds, as the server computed it. */
  offsetSeconds: number;
}

export const SERVER_CLOCK_SQL =
  'SELECT @@session.time_zone AS sessionZone, @@system_time_zone AS systemZone, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW()) AS offsetSeconds';

// `@@system_time_zone` is the operating system's abbreviation, not an IANA name; these are the
// ones a US CRM database answers with (MST alone is Arizona's, which keeps no DST).
const ABBREVIATIONS: Record<string, string> = {
  UTC: 'UTC',
  GMT: 'UTC',
  Z: 'UTC',
  EST: 'America/New_York',
  EDT: 'America/New_York',
  CST: 'America/Chicago',
  CDT: 'America/Chicago',
  MDT: 'America/Denver',
  MST: 'America/Phoenix',
  PST: 'America/Los_Angeles',
  PDT: 'America/Los_Angeles',
  AKST: 'America/Anchorage',
  AKDT: 'America/Anchorage',
  HST: 'Pacific/Honolulu',
};

function offsetText(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const minutes = Math.round(Math.abs(seconds) / 60);
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * The zone the server writes NOW() in, as a name this process can convert with: a named
 * session zone as is, `+00:00` as UTC, another fixed offset as itself; for `SYSTEM`, the
 * system zone's abbreviation mapped to its IANA zone when it matches the server's current
 * offset, else the current offset (then DST changes cannot be followed: `why` says so).
 */
export function serverTimeZone(clock: ServerClock): { zone: string; why: string } {
  const now = offsetText(clock.offsetSeconds);
  const session = clock.sessionZone.trim();
  if (session.toUpperCase() !== 'SYSTEM') {
    if (/^[+-]\d{2}:\d{2}$/.test(session))
      return {
        zone: session === '+00:00' || session === '-00:00' ? 'UTC' : session,
        why: `@@time_zone ${session}`,
      };
    if (isTimeZone(session)) return { zone: session, why: `@@time_zone ${session}` };
  }
  const system = clock.systemZone.trim();
  const named = ABBREVIATIONS[system.toUpperCase()] ?? (isTimeZone(system) ? system : undefined);
  if (named && offsetMs(new Date(), named) === clock.offsetSeconds * 1000)
    return { zone: named, why: `@@system_time_zone ${system} (offset ${now} now)` };
  return {
    zone: clock.offsetSeconds === 0 ? 'UTC' : now,
    why: `the server's current offset ${now} (@@time_zone ${session}, @@system_time_zone ${system} not a zone this plugin knows: set GENIUS_TIMEZONE so DST changes are followed)`,
  };
}

/**
 * Why a configured zone disagrees with the server's clock right now, or null when both give
 * the same offset (a zone and its fixed offset agree outside DST, which is all one reading
 * can tell).
 */
export function zoneDisagreement(
  configured: string,
  clock: ServerClock,
  at = new Date(),
): string | null {
  const mine = offsetMs(at, configured);
  if (mine === clock.offsetSeconds * 1000) return null;
  return `GENIUS_TIMEZONE is ${configured} (offset ${offsetText(mine / 1000)} now) but the database server's clock is at ${offsetText(clock.offsetSeconds)} (@@time_zone ${clock.sessionZone}, @@system_time_zone ${clock.systemZone}): if Genius writes its times with the server's NOW(), deltas will miss or repeat changes — fix GENIUS_TIMEZONE or unset it to use the server's zone`;
}
