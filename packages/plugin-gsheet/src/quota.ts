import type { RequestMetrics } from '@crmsync/core';

export interface QuotaWindow {
  limit: number;
  windowMs: number;
}

/**
 * Client-side pacing under a sliding request window (Sheets: 60 reads per minute per user).
 * The same shape as CallRail's until the core HTTP toolkit provides one. `take()` resolves
 * when one more request fits in every window; time spent waiting is counted as throttled.
 *
 * @example
 * const quota = new SlidingQuota([{ limit: 60, windowMs: 60_000 }], metrics);
 * await quota.take(signal);
 */
export class SlidingQuota {
  private readonly windows: QuotaWindow[];
  private readonly metrics: RequestMetrics;
  /** One entry per request inside the longest window: when it left, then when it was answered. */
  private readonly sent: Array<{ t: number }> = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(windows: QuotaWindow[], metrics: RequestMetrics) {
    // The server counts arrivals and we count departures: a margin of 1% (at least 25 ms)
    // keeps jitter from landing a request a moment early in the server's window.
    this.windows = windows
      .filter((w) => w.limit > 0 && w.windowMs > 0)
      .map((w) => ({
        limit: w.limit,
        windowMs: w.windowMs + Math.max(25, Math.ceil(w.windowMs * 0.01)),
      }));
    this.metrics = metrics;
  }

  /**
   * Waits for room in every window, in call order, and records one request. Call the returned
   * function when the response arrives: the request then counts from that moment, which is
   * never earlier than when the server counted it.
   */
  take(signal: AbortSignal): Promise<() => void> {
    const turn = this.queue.then(() => this.wait(signal));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  private async wait(signal: AbortSignal): Promise<() => void> {
    const longest = Math.max(0, ...this.windows.map((w) => w.windowMs));
    let waited = 0;
    for (;;) {
      signal.throwIfAborted();
      const now = Date.now();
      while (this.sent.length > 0 && (this.sent[0] as { t: number }).t <= now - longest)
        this.sent.shift();
      let delay = 0;
      for (const w of this.windows) {
        const inside = this.sent.map((e) => e.t).filter((t) => t > now - w.windowMs);
        if (inside.length >= w.limit) {
          inside.sort((a, b) => a - b);
          // Room opens when the (inside - limit + 1)-th oldest request leaves the window.
          const freeing = inside[inside.length - w.limit] as number;
          delay = Math.max(delay, freeing + w.windowMs - now + 1);
        }
      }
      if (delay <= 0) break;
      if (waited === 0) this.metrics.throttled++;
      waited += delay;
      await sleep(delay, signal);
    }
    this.metrics.throttledMs += waited;
    const entry = { t: Date.now() };
    this.sent.push(entry);
    return () => {
      entry.t = Math.max(entry.t, Date.now());
    };
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
