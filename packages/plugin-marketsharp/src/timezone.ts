import { assertTimeZone as assertZone } from '@crmsync/core';

/**
 * MarketSharp's OData service speaks naive DateTimes (no zone) in the server's own time zone:
 * a filter literal must be written in it and every value read back from it (core's zone
 * arithmetic does the conversion; these helpers parse and write the OData literal).
 */

/** The zone, or an error naming the setting when Intl does not know it. */
export function assertTimeZone(timeZone: string, setting = 'MARKETSHARP_TIMEZONE'): string {
  return assertZone(timeZone, setting, { example: 'America/Chicago' });
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
