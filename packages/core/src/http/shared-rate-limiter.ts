import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestBudgets } from '../contracts/shared-state.js';
import { type RateLimit, RateLimiter } from './rate-limit.js';

/** A quota shared through the store: `requests` per fixed window of `perMs`, under `key`. */
export interface SharedQuota {
  budgets: RequestBudgets;
  /** Who the vendor counts: `gsheet:<service account>`; never a secret. */
  key: string;
  requests: number;
  perMs: number;
}

/**
 * A RateLimiter that also takes every request from a quota shared by every process on the
 * store (RequestBudgets): the local rolling windows pace this process, the shared budget
 * keeps all of them together under the vendor's per-user quota. A request waits for the
 * shared window before it queues locally, so neither the request's timeout nor its page
 * budget runs meanwhile (the HttpClient pauses both while a limiter holds a request).
 *
 * @example
 * const limiter = new SharedRateLimiter([{ requests: 60, perMs: 60_000 }], { budgets, key: 'gsheet:reader@proj.iam', requests: 60, perMs: 60_000 });
 */
export class SharedRateLimiter extends RateLimiter {
  readonly #shared: SharedQuota;

  constructor(limits: RateLimit[], shared: SharedQuota) {
    super(limits);
    this.#shared = shared;
  }

  override async schedule<T>(
    task: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<{ result: T; waitedMs: number }> {
    const started = performance.now();
    const { budgets, key, requests, perMs } = this.#shared;
    for (;;) {
      signal?.throwIfAborted();
      const wait = await budgets.take(key, requests, perMs);
      if (wait <= 0) break;
      // As the local windows do, a cancelled wait rejects with the signal's own reason.
      await sleep(wait, undefined, signal ? { signal } : undefined).catch((error: unknown) => {
        throw signal?.aborted ? signal.reason : error;
      });
    }
    const shared = performance.now() - started;
    const { result, waitedMs } = await super.schedule(task, signal);
    return { result, waitedMs: waitedMs + shared };
  }
}
