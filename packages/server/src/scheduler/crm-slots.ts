/**
 * At most `limit` syncs of one CRM at a time in this process (a CRM's rate limit is shared
 * by all its entities); waiters are served in arrival order and can give up via a signal.
 */
export class CrmSlots {
  readonly #limit: number;
  readonly #active = new Map<string, number>();
  readonly #waiting = new Map<string, Array<() => void>>();

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /** Resolves with the release function once a slot of `crm` is free. */
  async acquire(crm: string, signal?: AbortSignal): Promise<() => void> {
    if ((this.#active.get(crm) ?? 0) >= this.#limit) {
      await new Promise<void>((resolve, reject) => {
        const queue = this.#waiting.get(crm) ?? [];
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          queue.splice(queue.indexOf(wake), 1);
          reject(signal?.reason ?? new Error('aborted'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(wake);
        this.#waiting.set(crm, queue);
      });
    } else {
      this.#active.set(crm, (this.#active.get(crm) ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.get(crm)?.shift();
      // The slot passes straight to the next waiter, so the count stays.
      if (next) next();
      else this.#active.set(crm, (this.#active.get(crm) ?? 1) - 1);
    };
  }

  get running(): number {
    let n = 0;
    for (const v of this.#active.values()) n += v;
    return n;
  }
}
