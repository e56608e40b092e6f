import { describe, expect, it } from 'vitest';
import { checkCron, checkInterval, checkTiming, timingError } from './schedule-timing.js';

const FROM = new Date('2026-03-04T10:07:30');

describe('schedule timing, one validator for API, CLI and dashboard', () => {
  it('accepts 5m, 2h, 1d and "15 minutes", with the next run', () => {
    for (const [given, stored, ms] of [
      ['5m', '5 minutes', 300_000],
      ['2h', '2 hours', 7_200_000],
      ['1d', '1 day', 86_400_000],
      [' 15 Minutes ', '15 minutes', 900_000],
    ] as const) {
      const check = checkInterval(given, FROM);
      expect(check, given).toMatchObject({ ok: true, normalized: stored, intervalMs: ms });
      if (check.ok) expect(check.nextRun.getTime() - FROM.getTime()).toBe(ms);
    }
  });

  it('refuses intervals with the reason', () => {
    expect(checkInterval('30s')).toMatchObject({
      ok: false,
      reason: '"30s" is shorter than 1 minute',
    });
    expect(checkInterval('5 mo')).toMatchObject({ ok: false, field: 'interval' });
  });

  it('refuses 61 * * * * and foo bar, naming the field and why', () => {
    const minute = checkCron('61 * * * *', FROM);
    expect(minute.ok).toBe(false);
    if (!minute.ok) {
      expect(minute.reason).toMatch(/61 expected range 0-59 in the minute field \("61"\)/);
      expect(timingError(minute)).toMatch(/^Invalid cron: expected a cron expression of 5 fields/);
    }
    expect(checkCron('foo bar')).toMatchObject({
      ok: false,
      reason: '"foo bar" has 2 fields, not 5 or 6',
    });
    const words = checkCron('foo * * * *');
    expect(!words.ok && words.reason).toMatch(/in the minute field \("foo"\)/);
  });

  it('computes the next run of a cron expression', () => {
    expect(checkCron('*/15 * * * *', FROM)).toMatchObject({
      ok: true,
      nextRun: new Date('2026-03-04T10:15:00'),
    });
    expect(checkCron('0 9 * * MON-FRI', new Date('2026-03-06T10:00:00'))).toMatchObject({
      ok: true,
      nextRun: new Date('2026-03-09T09:00:00'),
    });
  });

  it('wants exactly one of interval and cron', () => {
    expect(checkTiming({})).toMatchObject({ ok: false, reason: 'neither was given' });
    expect(checkTiming({ interval: '5m', cron: '* * * * *' })).toMatchObject({ ok: false });
    expect(checkTiming({ interval: '', cron: '0 * * * *' })).toMatchObject({
      ok: true,
      kind: 'cron',
    });
  });
});
