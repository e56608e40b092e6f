import {
  type FakeClock,
  FakeHttpError,
  type FakeReply,
  type FakeRequest,
} from '@crmsync/core/fake-api';
import { tooManyRequests, zohoError } from './errors.js';

export interface ZohoLimitOptions {
  /** Requests of one app in flight at once (Standard 10, Professional 15, Enterprise 20). */
  concurrency: number;
  /** Heavy APIs (COQL, bulk) in flight at once: 10. */
  subConcurrency: number;
  /** API credits per rolling 24 h. */
  dailyCredits: number;
  /** Time each guarded request holds its concurrency slot, in ms. */
  latencyMs: number;
}

const DAY = 86_400_000;

/**
 * Zoho's limits as the fake enforces them: the concurrency cap per app and org (a request
 * over it is refused at once with 429 `TOO_MANY_REQUESTS`, Kaizen #203), the lower
 * sub-concurrency of heavy APIs, and API credits per rolling 24 h (each call costs what the
 * route says). A request holds its slot for `latencyMs`, so a cap is reachable in tests.
 */
export class ZohoLimits {
  inflight = 0;
  peak = 0;
  heavyInflight = 0;
  /** Requests refused by the concurrency cap. */
  refused = 0;
  readonly #spent: Array<{ at: number; credits: number }> = [];

  constructor(
    readonly clock: FakeClock,
    readonly options: ZohoLimitOptions,
  ) {}

  /** Credits spent in the rolling day before now. */
  creditsUsed(): number {
    const from = this.clock.now() - DAY;
    while (this.#spent.length && (this.#spent[0]?.at ?? 0) <= from) this.#spent.shift();
    return this.#spent.reduce((sum, s) => sum + s.credits, 0);
  }

  guard(
    cost: number | ((request: FakeRequest) => number),
    handler: (request: FakeRequest) => FakeReply | Promise<FakeReply>,
    heavy = false,
  ) {
    return async (request: FakeRequest): Promise<FakeReply> => {
      const o = this.options;
      if (this.inflight >= o.concurrency || (heavy && this.heavyInflight >= o.subConcurrency)) {
        this.refused++;
        throw new FakeHttpError(429, tooManyRequests());
      }
      this.inflight++;
      this.peak = Math.max(this.peak, this.inflight);
      if (heavy) this.heavyInflight++;
      try {
        if (o.latencyMs > 0) await new Promise((r) => setTimeout(r, o.latencyMs));
        const credits = typeof cost === 'function' ? cost(request) : cost;
        if (this.creditsUsed() + credits > o.dailyCredits)
          // UNCONFIRMED: the status and code Zoho answers once the day's credits are spent.
          throw new FakeHttpError(
            429,
            zohoError('LIMIT_EXCEEDED', 'API credits exhausted for the day', {
              allowed_count: o.dailyCredits,
            }),
          );
        this.#spent.push({ at: this.clock.now(), credits });
        return await handler(request);
      } finally {
        this.inflight--;
        if (heavy) this.heavyInflight--;
      }
    };
  }
}
