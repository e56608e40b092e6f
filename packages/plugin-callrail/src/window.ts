import type { FetchRequest, Logger } from '@crmsync/core';

const DAY = 86_400_000;

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
 * trailing window (`--window-days`, default 7) before the last run; both are clamped to the floor.
 */
export function eventWindow(request: FetchRequest, now = new Date(), logger?: Logger): EventWindow {
  const floor = retentionFloor(now);
  const end = request.until && request.until < now ? request.until : now;
  let start = request.since ?? floor;
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
