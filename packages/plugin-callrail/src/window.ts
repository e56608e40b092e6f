import { DEFAULT_DELTA_OVERLAP_MS, type FetchRequest, type Logger } from '@crmsync/core';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Default of `--window-days`: the trailing window every delta re-reads. */
export const DEFAULT_WINDOW_DAYS = 7;
/** Defaults of the wide pass: once a day, the last 90 days. */
export const DEFAULT_WIDE_WINDOW_DAYS = 90;
export const DEFAULT_WIDE_WINDOW_EVERY_HOURS = 24;

const positive = (value: unknown, fallback: number) => {
  const n = Number(value ?? fallback);
  return Number.isFinite(n) ? n : fallback;
};

/**
 * Where a delta's wide pass starts, when this run is one; else undefined. The first delta
 * after each period boundary (every `--wide-window-every-hours`, default 24: midnight UTC)
 * re-reads `--wide-window-days` (default 90) rather than the trailing window, so a tag, note
 * or value added to a call weeks after it still arrives. Stateless: the engine's delta start
 * is the last successful run's start minus the overlap and the trailing window, so a wide
 * pass that failed is simply tried again by the next run.
 */
export function widePassStart(request: FetchRequest, now: Date): Date | undefined {
  if (request.mode !== 'delta' || !request.since) return undefined;
  const every = positive(
    request.options['wide-window-every-hours'],
    DEFAULT_WIDE_WINDOW_EVERY_HOURS,
  );
  if (every <= 0) return undefined;
  const windowDays = positive(request.options['window-days'], DEFAULT_WINDOW_DAYS);
  const wideDays = positive(request.options['wide-window-days'], DEFAULT_WIDE_WINDOW_DAYS);
  const lastStart = request.since.getTime() + windowDays * DAY + DEFAULT_DELTA_OVERLAP_MS;
  const period = every * HOUR;
  if (Math.floor(lastStart / period) >= Math.floor(now.getTime() / period)) return undefined;
  const start = new Date(now.getTime() - wideDays * DAY);
  return start < request.since ? start : undefined;
}

/** CallRail keeps communication records 25 months; stay a day inside so the range is never refused. */
export function retentionFloor(now: Date): Date {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - 25);
  return new Date(d.getTime() + DAY);
}

export interface EventWindow {
  start: Date;
  end: Date;
}

/**
 * The event-time window a trailing-window read asks for. CallRail answers only the last 30
 * days when no range is sent, so the plugin always sends one: a full read starts at the
 * retention floor; a delta starts at the engine's `since`, which already reaches back the
 * trailing window (`--window-days`, default 7) before the last run — or, on the period's wide
 * pass, `--wide-window-days` before now; all are clamped to the floor.
 */
export function eventWindow(request: FetchRequest, now = new Date(), logger?: Logger): EventWindow {
  const floor = retentionFloor(now);
  const end = request.until && request.until < now ? request.until : now;
  const wide = widePassStart(request, now);
  if (wide)
    logger?.info(
      `CallRail: first delta of this period — the wide pass re-reads from ${wide.toISOString()} so late edits to older records arrive`,
    );
  let start = wide ?? request.since ?? floor;
  if (start < floor) {
    if (request.since) {
      logger?.warn(
        `CallRail keeps 25 months of records; reading from ${floor.toISOString()} instead of ${start.toISOString()}`,
      );
    }
    start = floor;
  }
  return { start, end };
}
