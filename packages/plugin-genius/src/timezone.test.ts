import { describe, expect, it } from 'vitest';
import { fromNaive, naiveToIso, toNaive } from './timezone.js';

describe('Genius naive datetimes', () => {
  it('reads a naive value in the database zone as the instant it names', () => {
    expect(fromNaive('2026-01-15 10:00:00', 'America/New_York')?.toISOString()).toBe(
      '2026-01-15T15:00:00.000Z',
    );
    expect(fromNaive('2026-07-15 10:00:00', 'America/New_York')?.toISOString()).toBe(
      '2026-07-15T14:00:00.000Z',
    );
    expect(fromNaive('2026-07-15 10:00:00.250', 'UTC')?.toISOString()).toBe(
      '2026-07-15T10:00:00.250Z',
    );
  });

  it('writes an instant as the naive value the database compares with', () => {
    expect(toNaive(new Date('2026-01-15T15:00:00.000Z'), 'America/New_York')).toBe(
      '2026-01-15 10:00:00.000',
    );
    expect(toNaive(new Date('2026-03-08T07:30:00.000Z'), 'America/New_York')).toBe(
      '2026-03-08 03:30:00.000',
    );
  });

  it('round-trips across a DST change', () => {
    for (const iso of [
      '2026-03-08T06:59:59.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
    ]) {
      const naive = toNaive(new Date(iso), 'America/New_York');
      expect(fromNaive(naive, 'America/New_York')?.toISOString()).toBe(iso);
    }
  });

  it('turns MySQL zero dates into null', () => {
    expect(fromNaive('0000-00-00 00:00:00', 'UTC')).toBeNull();
  });
});

describe('naiveToIso', () => {
  it('gives the same answer on the UTC fast path as the general one', () => {
    for (const v of [
      '2026-11-22 10:11:12',
      '2024-02-29 23:59:59',
      '0000-00-00 00:00:00',
      '2026-01-15 10:00:00.250',
    ]) {
      expect(naiveToIso(v, 'UTC')).toBe(fromNaive(v, 'UTC')?.toISOString() ?? null);
    }
    expect(naiveToIso('2026-01-15 10:00:00', 'America/New_York')).toBe('2026-01-15T15:00:00.000Z');
  });
});
