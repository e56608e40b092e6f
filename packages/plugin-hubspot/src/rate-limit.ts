import { type RateLimit, RateLimiter } from '@crmsync/core';

/**
 * Core's rolling-window limiter (a request counts from its start until `perMs` after its
 * answer, so it never exceeds HubSpot's `TEN_SECONDLY_ROLLING` window) plus what HubSpot's
 * headers say: when `X-HubSpot-RateLimit-Remaining` is lower than the room this limiter counts
 * (another app or process shares the account's quota, or the tier is lower than configured),
 * the missing slots are taken now by empty requests, so the next real ones wait for the window
 * to free instead of running into a 429.
 */
export class HubspotRateLimiter extends RateLimiter {
  readonly #limit: RateLimit | undefined;
  #done: number[] = [];
  #inflight = 0;

  constructor(limits: RateLimit[]) {
    super(limits);
    this.#limit = limits[0];
  }

  override schedule<T>(
    task: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<{ result: T; waitedMs: number }> {
    return super.schedule(async () => {
      this.#inflight++;
      try {
        return await task();
      } finally {
        this.#inflight--;
        this.#done.push(Date.now());
      }
    }, signal);
  }

  /** Requests the first limit has room for now, by this limiter's own count. */
  remaining(now = Date.now()): number {
    const limit = this.#limit;
    if (!limit) return Number.POSITIVE_INFINITY;
    this.#done = this.#done.filter((t) => t > now - limit.perMs);
    return limit.requests - this.#done.length - this.#inflight;
  }

  /** Takes the slots HubSpot says are gone but this limiter still counts as free. */
  observe(serverRemaining: number) {
    if (!Number.isFinite(serverRemaining)) return;
    const deficit = this.remaining() - Math.max(0, serverRemaining);
    for (let i = 0; i < deficit; i++) void this.schedule(async () => undefined).catch(() => {});
  }
}
