import { type RateLimit, RateLimiter } from '@crmsync/core';

/** One request in a window: its time, moved to when its answer came back. */
interface Hit {
  t: number;
}

interface Window {
  max: number;
  perMs: number;
  hits: Hit[];
}

/**
 * Core's limiter with HubSpot's *rolling* windows. Core's buckets are bottleneck reservoirs
 * that refill every `perMs` (fixed windows): 100 at 9.9 s and 100 more at 10.1 s pass them,
 * but HubSpot's `TEN_SECONDLY_ROLLING` policy counts any 10 s and answers 429. So a request
 * here waits until the `max`-th latest one is `perMs` old. A request counts from when its
 * answer arrived (while in flight, from its start): HubSpot saw it before it answered, so
 * network jitter cannot make two requests look closer to HubSpot than they do here.
 * Core's `pause()` (429 Retry-After) and metrics still apply.
 */
export class RollingRateLimiter extends RateLimiter {
  readonly #windows: Window[];
  readonly #marginMs: number;
  #turn: Promise<Hit | undefined> = Promise.resolve(undefined);

  constructor(limits: RateLimit[], marginMs = 5) {
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
      const hit = await turn;
      started = performance.now();
      try {
        return await task();
      } finally {
        if (hit) hit.t = Date.now();
        for (const w of this.#windows) w.hits.sort((a, b) => a.t - b.t);
      }
    });
    return { result, waitedMs: Math.max(0, started - queued) };
  }

  /** Requests left in the first window before it must wait. */
  remaining(now = Date.now()): number {
    const w = this.#windows[0];
    if (!w) return Number.POSITIVE_INFINITY;
    return w.max - w.hits.filter((h) => h.t > now - w.perMs).length;
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
    for (let i = 0; i < deficit; i++) w.hits.push({ t: now });
  }

  async #acquire(): Promise<Hit | undefined> {
    for (;;) {
      const now = Date.now();
      let wait = 0;
      for (const w of this.#windows) {
        while (w.hits.length && (w.hits[0] as Hit).t <= now - w.perMs - this.#marginMs)
          w.hits.shift();
        if (w.hits.length >= w.max) {
          const oldest = (w.hits[w.hits.length - w.max] as Hit).t;
          wait = Math.max(wait, oldest + w.perMs + this.#marginMs - now);
        }
      }
      if (wait <= 0) {
        const hit = { t: now };
        // One request is one hit in every window (a limiter has one window in this plugin).
        for (const w of this.#windows) w.hits.push(hit);
        return hit;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
