import { type RateLimit, RateLimiter } from '@crmsync/core';

interface Window {
  max: number;
  perMs: number;
  hits: number[];
}

/**
 * Core's limiter with HubSpot's *rolling* windows. Core's buckets are bottleneck reservoirs
 * that refill every `perMs` (fixed windows): 100 at 9.9 s and 100 more at 10.1 s pass them,
 * but HubSpot's `TEN_SECONDLY_ROLLING` policy counts any 10 s and answers 429. So each start
 * here waits until the `max`-th latest start is `perMs` (+ a margin for network jitter) old.
 * Core's `pause()` (429 Retry-After) and metrics still apply.
 */
export class RollingRateLimiter extends RateLimiter {
  readonly #windows: Window[];
  readonly #marginMs: number;
  #turn: Promise<void> = Promise.resolve();

  constructor(limits: RateLimit[], marginMs = 50) {
    super([]);
    this.#windows = limits.map((l) => ({ max: l.requests, perMs: l.perMs, hits: [] }));
    this.#marginMs = marginMs;
  }

  override async schedule<T>(task: () => Promise<T>): Promise<{ result: T; waitedMs: number }> {
    const queued = performance.now();
    let started = queued;
    const { result } = await super.schedule(async () => {
      const turn = this.#turn.then(() => this.#acquire());
      this.#turn = turn;
      await turn;
      started = performance.now();
      return task();
    });
    return { result, waitedMs: Math.max(0, started - queued) };
  }

  /** Starts left in the first window before it must wait. */
  remaining(now = Date.now()): number {
    const w = this.#windows[0];
    if (!w) return Number.POSITIVE_INFINITY;
    return w.max - w.hits.filter((t) => t > now - w.perMs).length;
  }

  /**
   * Reads HubSpot's `X-HubSpot-RateLimit-Remaining`: when the account has less room than this
   * limiter counts (another app or process shares the quota, or the tier is lower than
   * configured), the missing slots are counted as taken now, so the next requests wait for
   * the window to free instead of running into a 429.
   */
  observe(serverRemaining: number) {
    const w = this.#windows[0];
    if (!w || !Number.isFinite(serverRemaining)) return;
    const deficit = this.remaining() - Math.max(0, serverRemaining);
    const now = Date.now();
    for (let i = 0; i < deficit; i++) w.hits.push(now);
  }

  async #acquire(): Promise<void> {
    for (;;) {
      const now = Date.now();
      let wait = 0;
      for (const w of this.#windows) {
        while (w.hits.length && (w.hits[0] as number) <= now - w.perMs - this.#marginMs)
          w.hits.shift();
        if (w.hits.length >= w.max) {
          const oldest = w.hits[w.hits.length - w.max] as number;
          wait = Math.max(wait, oldest + w.perMs + this.#marginMs - now);
        }
      }
      if (wait <= 0) {
        for (const w of this.#windows) w.hits.push(now);
        return;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
