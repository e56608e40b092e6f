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

describe('naiveToIso in zones other than UTC', () => {
  const same = (zone: string, from: number, to: number, step: number) => {
    for (let t = from; t < to; t += step) {
      const naive = toNaive(new Date(t), zone).slice(0, 19);
      expect(naiveToIso(naive, zone), `${zone} ${naive}`).toBe(
        fromNaive(naive, zone)?.toISOString() ?? null,
      );
    }
  };

  it('gives the general answer through a year of New York hours, both DST changes included', () => {
    same('America/New_York', Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1), 4 * 3_600_000 + 7_000);
    same('America/New_York', Date.UTC(2026, 2, 8, 5), Date.UTC(2026, 2, 8, 9), 5 * 60_000);
    same('America/New_York', Date.UTC(2026, 10, 1, 4), Date.UTC(2026, 10, 1, 8), 5 * 60_000);
    expect(naiveToIso('2026-11-01 01:10:00', 'America/New_York')).toBe('2026-11-01T05:10:00.000Z');
  });

  it('falls back to the general answer where offsets are not whole hours', () => {
    same('Asia/Kolkata', Date.UTC(2026, 5, 1), Date.UTC(2026, 5, 3), 17 * 60_000);
    // Lord Howe moves by half an hour on 2026-04-05 and 2026-10-04.
    same('Australia/Lord_Howe', Date.UTC(2026, 3, 4, 12), Date.UTC(2026, 3, 4, 18), 7 * 60_000);
    same('Australia/Lord_Howe', Date.UTC(2026, 9, 3, 12), Date.UTC(2026, 9, 3, 18), 7 * 60_000);
  });
});
