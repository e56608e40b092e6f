import { describe, expect, it } from 'vitest';
import { assertTimeZone, instantToWall, wallToInstant, zoneOffsetAt } from './time-zones.js';

const wall = (iso: string) => Date.parse(`${iso}Z`);

describe('time zones', () => {
  it('turns a New York wall clock into its instant and back, across both DST changes', () => {
    // Winter: UTC-5; summer: UTC-4.
    expect(
      new Date(wallToInstant(wall('2024-01-15T12:00:00'), 'America/New_York')).toISOString(),
    ).toBe('2024-01-15T17:00:00.000Z');
    expect(
      new Date(wallToInstant(wall('2024-07-15T12:00:00'), 'America/New_York')).toISOString(),
    ).toBe('2024-07-15T16:00:00.000Z');
    const instant = Date.parse('2024-03-10T07:30:00.250Z'); // 03:30 EDT, just after the jump
    expect(new Date(instantToWall(instant, 'America/New_York')).toISOString()).toBe(
      '2024-03-10T03:30:00.250Z',
    );
  });

  it('takes the earlier instant in the hour a fall-back repeats', () => {
    // 01:30 on 2024-11-03 happens twice in New York: 05:30Z (EDT) and 06:30Z (EST).
    expect(
      new Date(wallToInstant(wall('2024-11-03T01:30:00'), 'America/New_York')).toISOString(),
    ).toBe('2024-11-03T05:30:00.000Z');
  });

  it('knows fixed offsets and UTC', () => {
    expect(zoneOffsetAt(0, '-05:00')).toBe(-5 * 3_600_000);
    expect(zoneOffsetAt(0, '+05:30')).toBe(5.5 * 3_600_000);
    expect(wallToInstant(wall('2024-01-01T00:00:00'), 'UTC')).toBe(wall('2024-01-01T00:00:00'));
  });

  it('names the setting when the zone is unknown, and takes fixed offsets when asked', () => {
    // (Without `fixedOffsets`, whether '-05:00' passes is Intl's call: Node 22 takes it, 20 does not.)
    expect(assertTimeZone('Europe/Paris', 'X_TIMEZONE')).toBe('Europe/Paris');
    expect(assertTimeZone('-05:00', 'X_TIMEZONE', { fixedOffsets: true })).toBe('-05:00');
    expect(() =>
      assertTimeZone('Mars/Olympus', 'X_TIMEZONE', { example: 'America/Chicago' }),
    ).toThrow(/X_TIMEZONE.*America\/Chicago/s);
  });
});
