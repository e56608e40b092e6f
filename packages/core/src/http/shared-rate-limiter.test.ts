import { describe, expect, it } from 'vitest';
import type { RequestBudgets } from '../contracts/shared-state.js';
import { MemoryRequestBudgets } from '../store/memory-shared-state.js';
import { SharedRateLimiter } from './shared-rate-limiter.js';

describe('SharedRateLimiter', () => {
  it('sends a request only once the shared budget grants it, asking again after the wait it was told', async () => {
    const asked: number[] = [];
    const answers = [25, 0];
    const budgets: RequestBudgets = {
      take: async (_key, limit) => {
        asked.push(limit);
        return answers.shift() ?? 0;
      },
    };
    const limiter = new SharedRateLimiter([{ requests: 100, perMs: 1_000 }], {
      budgets,
      key: 'vendor:user',
      requests: 60,
      perMs: 60_000,
    });
    let sent = 0;
    const { result } = await limiter.schedule(async () => {
      sent++;
      return 'answer';
    });
    expect(result).toBe('answer');
    expect(asked).toEqual([60, 60]);
    expect(sent).toBe(1);
  });

  it('lets two limiters on one budget through no more than its limit in a window together', async () => {
    const budgets = new MemoryRequestBudgets();
    const shared = { budgets, key: 'vendor:user', requests: 3, perMs: 3_600_000 };
    const a = new SharedRateLimiter([{ requests: 100, perMs: 1_000 }], shared);
    const b = new SharedRateLimiter([{ requests: 100, perMs: 1_000 }], shared);
    let sent = 0;
    const send = async () => {
      sent++;
    };
    await a.schedule(send);
    await b.schedule(send);
    await a.schedule(send);
    const held = new AbortController();
    const fourth = b.schedule(send, held.signal);
    held.abort(new Error('stop waiting'));
    await expect(fourth).rejects.toThrow('stop waiting');
    expect(sent).toBe(3);
  });
});
