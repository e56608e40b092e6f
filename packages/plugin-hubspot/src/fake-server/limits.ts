/** A rolling window (HubSpot's `TEN_SECONDLY_ROLLING`): at most `max` hits in any `windowMs`. */
export class RollingWindow {
  readonly max: number;
  readonly windowMs: number;
  #hits: number[] = [];

  constructor(max: number, windowMs: number) {
    this.max = max;
    this.windowMs = windowMs;
  }

  #prune(now: number) {
    let drop = 0;
    while (drop < this.#hits.length && (this.#hits[drop] as number) <= now - this.windowMs) drop++;
    if (drop) this.#hits = this.#hits.slice(drop);
  }

  /** Counts a hit when there is room; false when the window is full. */
  take(now = Date.now()): boolean {
    this.#prune(now);
    if (this.#hits.length >= this.max) return false;
    this.#hits.push(now);
    return true;
  }

  remaining(now = Date.now()): number {
    this.#prune(now);
    return Math.max(0, this.max - this.#hits.length);
  }

  /** Hits in the last `ms` (for the secondly header). */
  within(ms: number, now = Date.now()): number {
    let n = 0;
    for (let i = this.#hits.length - 1; i >= 0 && (this.#hits[i] as number) > now - ms; i--) n++;
    return n;
  }
}
