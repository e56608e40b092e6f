import { setMaxListeners } from 'node:events';

/** A vendor limit: at most `requests` per `perMs` ("100 per 10 s", "4 per second", a daily quota). */
export interface RateLimit {
  requests: number;
  perMs: number;
  /** Requests in flight at once; default: unlimited within the rate. */
  maxConcurrent?: number;
}

/**
 * One rolling window. A request counts from the moment it is let through until `perMs` after
 * its answer arrived: the vendor counts it somewhere in between, so this never lets through
 * more than `requests` in any window the vendor can see.
 */
class RollingWindow {
  readonly limit: RateLimit;
  /** Completion times, oldest first, from `head` on. */
  #done: number[] = [];
  #head = 0;
  inflight = 0;

  constructor(limit: RateLimit) {
    this.limit = limit;
  }

  /** 0 when a request may go now; otherwise ms until one may (Infinity: when one finishes). */
  waitMs(now: number): number {
    while (
      this.#head < this.#done.length &&
      (this.#done[this.#head] ?? 0) <= now - this.limit.perMs
    )
      this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#done.length) {
      this.#done = this.#done.slice(this.#head);
      this.#head = 0;
    }
    if (this.inflight + this.#done.length - this.#head < this.limit.requests) return 0;
    const oldest = this.#done[this.#head];
    return oldest === undefined ? Number.POSITIVE_INFINITY : oldest + this.limit.perMs - now;
  }

  finish(at: number) {
    this.inflight--;
    this.#done.push(at);
  }
}

/** Resolves after `ms` (never, if infinite) or when `wake` resolves; rejects if `signal` aborts. */
function waitUntil(ms: number, wake: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = Number.isFinite(ms) ? setTimeout(done, Math.ceil(ms)) : undefined;
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal.reason);
    }
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    wake.then(done);
  });
}

/**
 * Client-side pacing under several vendor limits at once (a general bucket plus a search
 * bucket, a per-second burst limit plus a daily quota), each a rolling window — not a
 * reservoir refilled every period, which lets twice the limit through across a period
 * boundary and earns 429s from a vendor that counts a rolling window. Requests are let
 * through first come, first served; `pause()` holds everything back, which is what a 429's
 * Retry-After asks for. (Not built on bottleneck: its queue costs about 7 ms per request in
 * timer hops, measured, which a fast API or a local benchmark pays on every page.)
 *
 * @example
 * const limiter = new RateLimiter([{ requests: 100, perMs: 10_000 }, { requests: 250_000, perMs: 86_400_000 }]);
 * const { result } = await limiter.schedule(() => fetch(url), signal);
 */
export class RateLimiter {
  readonly #windows: RollingWindow[];
  readonly #maxConcurrent: number;
  readonly #stopped = new AbortController();
  /** Settles when the request admitted last has been admitted: admission is first come, first served. */
  #turn: Promise<void> = Promise.resolve();
  #active = 0;
  /** Requests waiting for a concurrency slot, oldest first. */
  #slots: Array<() => void> = [];
  #pausedUntil = 0;
  #released = RateLimiter.#signal();

  constructor(limits: RateLimit[]) {
    // Every waiting request listens for stop(): hundreds may wait at once, legitimately.
    setMaxListeners(0, this.#stopped.signal);
    this.#windows = limits.map((l) => new RollingWindow(l));
    this.#maxConcurrent = Math.min(
      Number.POSITIVE_INFINITY,
      ...limits.map((l) => l.maxConcurrent ?? Number.POSITIVE_INFINITY),
    );
  }

  static #signal() {
    let resolve = () => {};
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    return { promise, resolve };
  }

  /**
   * Runs `task` once every limit has room; resolves with its result and how long it waited
   * (ms). Rejects with the signal's reason if `signal` aborts while it waits.
   */
  async schedule<T>(
    task: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<{ result: T; waitedMs: number }> {
    const queued = performance.now();
    const abort = signal ? AbortSignal.any([signal, this.#stopped.signal]) : this.#stopped.signal;
    await this.#slot(abort);
    try {
      await this.#enter(abort);
    } catch (error) {
      this.#freeSlot();
      throw error;
    }
    const waitedMs = Math.max(0, performance.now() - queued);
    try {
      return { result: await task(), waitedMs };
    } finally {
      const now = Date.now();
      for (const w of this.#windows) w.finish(now);
      this.#freeSlot();
      this.#released.resolve();
      this.#released = RateLimiter.#signal();
    }
  }

  async #slot(signal: AbortSignal): Promise<void> {
    if (this.#active < this.#maxConcurrent) {
      this.#active++;
      return;
    }
    const ready = RateLimiter.#signal();
    this.#slots.push(ready.resolve);
    try {
      // #freeSlot hands its slot over (no decrement) to the oldest waiter.
      await waitUntil(Number.POSITIVE_INFINITY, ready.promise, signal);
    } catch (error) {
      const at = this.#slots.indexOf(ready.resolve);
      if (at >= 0) this.#slots.splice(at, 1);
      else this.#freeSlot();
      throw error;
    }
  }

  #freeSlot() {
    const next = this.#slots.shift();
    if (next) next();
    else this.#active--;
  }

  /** Waits for every earlier request to be admitted, then for room in every window. */
  async #enter(signal: AbortSignal): Promise<void> {
    const before = this.#turn;
    const mine = RateLimiter.#signal();
    this.#turn = mine.promise;
    try {
      await waitUntil(Number.POSITIVE_INFINITY, before, signal);
      await this.#admit(signal);
    } finally {
      // Given up or admitted: the next in line goes once everyone before this one has.
      before.then(mine.resolve);
    }
  }

  async #admit(signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      const now = Date.now();
      const wait = Math.max(this.#pausedUntil - now, ...this.#windows.map((w) => w.waitMs(now)));
      if (wait <= 0) {
        for (const w of this.#windows) w.inflight++;
        return;
      }
      await waitUntil(wait, this.#released.promise, signal);
    }
  }

  /** Holds every request back for `ms` (a 429's Retry-After, or a backoff on the status alone). */
  pause(ms: number) {
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + ms);
  }

  /** Rejects every waiting request; the limiter cannot be used afterwards. */
  async stop() {
    this.#stopped.abort(new Error('the rate limiter was stopped'));
  }
}
