import type { FakeRequest } from './types.js';

/**
 * A scripted answer for the next matching requests. Without `status` it only delays (or,
 * with `stall: 'forever'`, holds) the request, which the route then answers as usual.
 */
export interface FakeFault {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests it answers. Default 1. */
  times?: number;
  /** Matching requests let through untouched first (to break a run part-way). Default 0. */
  after?: number;
  /** Milliseconds to wait before answering; `'forever'`: no answer until the fake closes. */
  stall?: number | 'forever';
  /**
   * Which requests it applies to. Default: every routed request behind the auth check (not
   * a route declared `auth: false`, such as a token endpoint).
   */
  match?: (request: FakeRequest) => boolean;
}

interface Pending {
  fault: FakeFault;
  left: number;
  skip: number;
}

/** Faults in the order they were queued; the first whose `match` accepts a request takes it. */
export class FaultQueue {
  #pending: Pending[] = [];

  /** Queues faults behind those already queued. */
  push(...faults: FakeFault[]): void {
    for (const fault of faults)
      this.#pending.push({ fault, left: fault.times ?? 1, skip: fault.after ?? 0 });
  }

  /**
   * The fault answering `request`, consuming one of its `times`; `undefined` when none.
   * `open`: the request's route is outside the auth check (only a `match` selects it).
   */
  take(request: FakeRequest, open = false): FakeFault | undefined {
    const i = this.#pending.findIndex((p) => (p.fault.match ? p.fault.match(request) : !open));
    const entry = this.#pending[i];
    if (!entry) return undefined;
    if (entry.skip > 0) {
      entry.skip--;
      return undefined;
    }
    if (--entry.left <= 0) this.#pending.splice(i, 1);
    return entry.fault;
  }

  /** Requests still to be answered by queued faults (a skipped request does not count). */
  get size(): number {
    return this.#pending.reduce((n, p) => n + p.left, 0);
  }

  reset(): void {
    this.#pending = [];
  }
}
