import type { RequestBudgets, SourceMarks } from '../contracts/shared-state.js';

/** Windows kept per key: older ones are forgotten as new ones open. */
const KEPT_WINDOWS = 4;

/** RequestBudgets in process memory: shared by the clients of one process only. */
export class MemoryRequestBudgets implements RequestBudgets {
  readonly #used = new Map<string, Map<number, number>>();

  async take(key: string, limit: number, windowMs: number, now = new Date()): Promise<number> {
    const start = Math.floor(now.getTime() / windowMs) * windowMs;
    let windows = this.#used.get(key);
    if (!windows) {
      windows = new Map();
      this.#used.set(key, windows);
    }
    const used = windows.get(start) ?? 0;
    if (used >= limit) return start + windowMs - now.getTime();
    windows.set(start, used + 1);
    if (used === 0)
      for (const old of windows.keys())
        if (old < start - KEPT_WINDOWS * windowMs) windows.delete(old);
    return 0;
  }
}

/** SourceMarks in process memory. */
export class MemorySourceMarks implements SourceMarks {
  readonly #marks = new Map<string, Record<string, string>>();

  async get(crmSource: string, entity: string): Promise<Record<string, string>> {
    return { ...this.#marks.get(`${crmSource}\u0000${entity}`) };
  }

  async set(crmSource: string, entity: string, marks: Record<string, string>): Promise<void> {
    const key = `${crmSource}\u0000${entity}`;
    this.#marks.set(key, { ...this.#marks.get(key), ...marks });
  }
}
