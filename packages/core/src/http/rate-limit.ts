import Bottleneck from 'bottleneck';

/** A vendor limit: at most `requests` per `perMs` ("100 per 10 s", "4 per second", a daily quota). */
export interface RateLimit {
  requests: number;
  perMs: number;
  /** Requests in flight at once; default: unlimited within the rate. */
  maxConcurrent?: number;
}

/**
 * Several limits at once (a general bucket plus a search bucket, an hourly and a daily quota),
 * each a bottleneck reservoir that refills every `perMs`, plus a pause that a 429 can impose.
 *
 * @example
 * const limiter = new RateLimiter([{ requests: 100, perMs: 10_000 }]);
 * await limiter.schedule(() => fetch(url));
 */
export class RateLimiter {
  readonly #buckets: Bottleneck[];
  #pausedUntil = 0;

  constructor(limits: RateLimit[]) {
    this.#buckets = limits.map(
      (l) =>
        new Bottleneck({
          reservoir: l.requests,
          reservoirRefreshAmount: l.requests,
          reservoirRefreshInterval: l.perMs,
          maxConcurrent: l.maxConcurrent ?? null,
        }),
    );
  }

  /** Runs `task` once every bucket has room; resolves with how long it waited, in ms. */
  async schedule<T>(task: () => Promise<T>): Promise<{ result: T; waitedMs: number }> {
    const queued = performance.now();
    const pause = this.#pausedUntil - Date.now();
    if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    let started = 0;
    let run: () => Promise<T> = () => {
      started = performance.now();
      return task();
    };
    for (const bucket of [...this.#buckets].reverse()) {
      const inner = run;
      run = () => bucket.schedule(inner);
    }
    const result = await run();
    return { result, waitedMs: Math.max(0, started - queued) };
  }

  /** Holds every request back for `ms` (a 429's Retry-After, or a backoff on the status alone). */
  pause(ms: number) {
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + ms);
  }

  async stop() {
    await Promise.all(this.#buckets.map((b) => b.stop({ dropWaitingJobs: true })));
  }
}
