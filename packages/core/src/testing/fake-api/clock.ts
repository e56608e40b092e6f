/**
 * The fake's time. Real time by default; tests move it with `advance`/`set` to cross a
 * rate-limit window or a token expiry without sleeping.
 */
export class FakeClock {
  #offset = 0;
  #fixed: number | undefined;

  constructor(readonly source: () => number = Date.now) {}

  now(): number {
    return this.#fixed ?? this.source() + this.#offset;
  }

  date(): Date {
    return new Date(this.now());
  }

  advance(ms: number): void {
    if (this.#fixed === undefined) this.#offset += ms;
    else this.#fixed += ms;
  }

  /** Stops the clock at `at` (it moves only by `advance` after that). */
  set(at: Date | number): void {
    this.#fixed = typeof at === 'number' ? at : at.getTime();
  }

  /** Back to the source's time. */
  resume(): void {
    this.#fixed = undefined;
    this.#offset = 0;
  }
}
