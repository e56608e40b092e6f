// When a schedule runs: an interval ("15 minutes", "15m", "2h", "1d") or a cron expression.
// One validator for the API, the CLI and the dashboard (`@crmsync/core/schedule-timing`, which
// the dashboard bundles): the same accepted set, the same reasons, and the next run computed
// the way the scheduler (Agenda, on cron-parser) computes it.
import { CronExpressionParser } from 'cron-parser';

/** `15 minutes`, `15 min`, `15m`, `2 hours`, `2h`, `1 day`, `1d` (`m` is minutes, not months). */
const INTERVAL = /^(\d+)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)$/i;
const UNITS: Record<string, { name: string; ms: number }> = {
  s: { name: 'second', ms: 1_000 },
  m: { name: 'minute', ms: 60_000 },
  h: { name: 'hour', ms: 3_600_000 },
  d: { name: 'day', ms: 86_400_000 },
};
export const MIN_INTERVAL_MS = 60_000;

export const INTERVAL_EXPECTED =
  'a duration of at least 1 minute such as "15 minutes", "15m", "2h" or "1d"';
export const CRON_EXPECTED =
  'a cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), such as "*/15 * * * *"';

export type TimingCheck =
  | {
      ok: true;
      kind: 'interval' | 'cron';
      /** As stored and shown: `15m` → `15 minutes`; a cron expression trimmed. */
      normalized: string;
      /** Milliseconds between runs (intervals only). */
      intervalMs: number | null;
      /** The next run after `from`. */
      nextRun: Date;
    }
  | {
      ok: false;
      field: 'interval' | 'cron';
      /** What was expected, in the words every surface shows. */
      expected: string;
      /** Why this value is refused ("61 is out of range 0–59 for minute"). */
      reason: string;
    };

/** Checks an interval such as `15 minutes` or `2h`. */
export function checkInterval(interval: string, from: Date = new Date()): TimingCheck {
  const match = INTERVAL.exec(interval.trim());
  const count = match ? Number(match[1]) : 0;
  const unit = match ? UNITS[match[2]!.charAt(0).toLowerCase()] : undefined;
  if (!unit) {
    return {
      ok: false,
      field: 'interval',
      expected: INTERVAL_EXPECTED,
      reason: `"${interval}" is not a number followed by s, m, h or d`,
    };
  }
  const ms = count * unit.ms;
  if (ms < MIN_INTERVAL_MS) {
    return {
      ok: false,
      field: 'interval',
      expected: INTERVAL_EXPECTED,
      reason: `"${interval}" is shorter than 1 minute`,
    };
  }
  return {
    ok: true,
    kind: 'interval',
    normalized: `${count} ${unit.name}${count === 1 ? '' : 's'}`,
    intervalMs: ms,
    nextRun: new Date(from.getTime() + ms),
  };
}

const FIELD_NAMES = ['minute', 'hour', 'day of month', 'month', 'day of week'];

/** Checks a cron expression and computes its next run after `from` (local time, as Agenda does). */
export function checkCron(cron: string, from: Date = new Date()): TimingCheck {
  const expression = cron.trim().replace(/\s+/g, ' ');
  const fields = expression === '' ? [] : expression.split(' ');
  const refuse = (reason: string): TimingCheck => ({
    ok: false,
    field: 'cron',
    expected: CRON_EXPECTED,
    reason,
  });
  if (fields.length < 5 || fields.length > 6)
    return refuse(
      `"${cron}" has ${fields.length} field${fields.length === 1 ? '' : 's'}, not 5 or 6`,
    );
  try {
    const parsed = CronExpressionParser.parse(expression, { currentDate: from, strict: false });
    return {
      ok: true,
      kind: 'cron',
      normalized: expression,
      intervalMs: null,
      nextRun: parsed.next().toDate(),
    };
  } catch (error) {
    const names = fields.length === 6 ? ['second', ...FIELD_NAMES] : FIELD_NAMES;
    // cron-parser says "Constraint error, got value 61 expected range 0-59": name the field too.
    const message = error instanceof Error ? error.message : String(error);
    const bad = fields.findIndex((_, i) => {
      try {
        const probe = fields.map((f, j) => (j === i ? f : '*')).join(' ');
        CronExpressionParser.parse(probe, { currentDate: from, strict: false });
        return false;
      } catch {
        return true;
      }
    });
    const where = bad >= 0 ? ` in the ${names[bad]} field ("${fields[bad]}")` : '';
    return refuse(`${message.replace(/\.$/, '')}${where}`);
  }
}

/**
 * Exactly one of interval and cron, checked. An empty string counts as not given.
 *
 * @example
 * checkTiming({ interval: '5m' }) // { ok: true, normalized: '5 minutes', nextRun: … }
 * checkTiming({ cron: '61 * * * *' }) // { ok: false, field: 'cron', reason: '… minute field …' }
 */
export function checkTiming(
  when: { interval?: string | null; cron?: string | null },
  from: Date = new Date(),
): TimingCheck {
  const hasInterval = when.interval != null && when.interval.trim() !== '';
  const hasCron = when.cron != null && when.cron.trim() !== '';
  if (hasInterval === hasCron) {
    return {
      ok: false,
      field: 'interval',
      expected: 'exactly one of interval and cron',
      reason: hasInterval
        ? 'both an interval and a cron expression were given'
        : 'neither was given',
    };
  }
  return hasInterval ? checkInterval(when.interval!, from) : checkCron(when.cron!, from);
}

/** The message every surface shows for a refused timing. */
export function timingError(check: Extract<TimingCheck, { ok: false }>): string {
  return `Invalid ${check.field}: expected ${check.expected}; ${check.reason}`;
}
