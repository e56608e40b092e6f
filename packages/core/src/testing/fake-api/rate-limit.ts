import type { FakeClock } from './clock.js';
import type { FakeReply, FakeRequest } from './types.js';

/** At most `max` hits in any `windowMs` (a rolling window, as HubSpot's `TEN_SECONDLY_ROLLING`). */
export class RollingWindow {
  #hits: number[] = [];

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  #prune(now: number) {
    let drop = 0;
    while (drop < this.#hits.length && (this.#hits[drop] as number) <= now - this.windowMs) drop++;
    if (drop) this.#hits = this.#hits.slice(drop);
  }

  hasRoom(now: number): boolean {
    this.#prune(now);
    return this.#hits.length < this.max;
  }

  /** Counts a hit when there is room; false when the window is full. */
  take(now: number): boolean {
    if (!this.hasRoom(now)) return false;
    this.#hits.push(now);
    return true;
  }

  remaining(now: number): number {
    this.#prune(now);
    return Math.max(0, this.max - this.#hits.length);
  }

  /** Hits in the last `ms` (a finer window inside this one, e.g. a "secondly" header). */
  within(ms: number, now: number): number {
    let n = 0;
    for (let i = this.#hits.length - 1; i >= 0 && (this.#hits[i] as number) > now - ms; i--) n++;
    return n;
  }

  /** Milliseconds until the oldest hit leaves the window (0 when there is room). */
  resetInMs(now: number): number {
    this.#prune(now);
    const oldest = this.#hits[0];
    return this.#hits.length < this.max || oldest === undefined ? 0 : oldest + this.windowMs - now;
  }
}

/** What a limit's `reject` and `headers` see: the window of the caller's key, and the time. */
export interface LimitState {
  name: string;
  key: string;
  window: RollingWindow;
  now: number;
}

export interface RateLimitRule {
  name: string;
  max: number;
  windowMs: number;
  /** Whose window a request counts against (account, token, user). Default: one for all. */
  key?: (request: FakeRequest) => string;
  /** Which requests count. Default: every authorized one. */
  applies?: (request: FakeRequest) => boolean;
  /** The vendor's 429 (status, body, headers such as `Retry-After`). */
  reject: (request: FakeRequest, state: LimitState) => FakeReply;
  /** Headers the vendor adds to answers that pass (remaining, reset …). */
  headers?: (request: FakeRequest, state: LimitState) => Record<string, string>;
}

/**
 * Rolling windows per rule and key. A request is refused by the first full window it counts
 * against, and then counts against none; otherwise it counts against all of them.
 */
export class RateLimits {
  readonly #rules = new Map<string, RateLimitRule>();
  readonly #windows = new Map<string, RollingWindow>();

  constructor(
    readonly clock: FakeClock,
    rules: RateLimitRule[] = [],
  ) {
    for (const rule of rules) this.#rules.set(rule.name, rule);
  }

  /** Adds or replaces a rule; `set(name, null)` removes it. Windows restart empty. */
  set(name: string, rule: Omit<RateLimitRule, 'name'> | null): void {
    for (const key of this.#windows.keys())
      if (key.startsWith(`${name}\u0000`)) this.#windows.delete(key);
    if (rule === null) this.#rules.delete(name);
    else this.#rules.set(name, { ...rule, name });
  }

  /** Changes a rule's `max` (and `windowMs`) keeping its answers; `null` switches it off. */
  resize(name: string, max: number | null, windowMs?: number): void {
    const rule = this.#rules.get(name);
    if (!rule) throw new Error(`fake API has no rate limit named ${name}`);
    if (max === null) this.#rules.delete(name);
    else this.set(name, { ...rule, max, windowMs: windowMs ?? rule.windowMs });
  }

  rule(name: string): RateLimitRule | undefined {
    return this.#rules.get(name);
  }

  /** The window `key` has under rule `name` (created empty if new). */
  window(name: string, key = ''): RollingWindow {
    const rule = this.#rules.get(name);
    if (!rule) throw new Error(`fake API has no rate limit named ${name}`);
    const id = `${name}\u0000${key}`;
    let window = this.#windows.get(id);
    if (!window) {
      window = new RollingWindow(rule.max, rule.windowMs);
      this.#windows.set(id, window);
    }
    return window;
  }

  /** Counts the request; the refusal when a window is full, else the headers to add. */
  take(request: FakeRequest): { rejected: FakeReply } | { headers: Record<string, string> } {
    const now = this.clock.now();
    const states: Array<{ rule: RateLimitRule; state: LimitState }> = [];
    for (const rule of this.#rules.values()) {
      if (rule.applies && !rule.applies(request)) continue;
      const key = rule.key?.(request) ?? '';
      const state = { name: rule.name, key, window: this.window(rule.name, key), now };
      if (!state.window.hasRoom(now)) return { rejected: rule.reject(request, state) };
      states.push({ rule, state });
    }
    const headers: Record<string, string> = {};
    for (const { rule, state } of states) {
      state.window.take(now);
      Object.assign(headers, rule.headers?.(request, state));
    }
    return { headers };
  }

  reset(): void {
    this.#windows.clear();
  }
}
