import { MemoryStore, type RequestBudgets } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeZoho, fakeZohoConfig, startFakeZoho } from './fake-server/index.js';
import { createZohoClient } from './index.js';

let fake: FakeZoho | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const DAY = 86_400_000;

describe('zoho daily credits from the store’s shared budget', () => {
  it('two clients (two processes) on one store draw from one day of credits, not one each', async () => {
    fake = await startFakeZoho({ size: 3 });
    const f = fake;
    const store = new MemoryStore();
    const taken: string[] = [];
    // One budgets object per "process" (each builds its own limiter), one store behind both.
    const process = (): RequestBudgets => ({
      take: (key, limit, windowMs, now) => {
        taken.push(`${key} ${limit}/${windowMs}`);
        return store.requestBudgets.take(key, limit, windowMs, now);
      },
    });
    const config = {
      ...fakeZohoConfig(f),
      ZOHO_BASE_URL: f.url,
      ZOHO_ACCOUNTS_URL: f.url,
      ZOHO_CONCURRENCY: 2,
      ZOHO_DAILY_CREDITS: 5,
    } as Parameters<typeof createZohoClient>[0];
    const a = createZohoClient(config, { requestBudgets: process() });
    const b = createZohoClient(config, { requestBudgets: process() });
    expect(a.limiter).not.toBe(b.limiter);
    const signal = new AbortController().signal;
    const apiCalls = () => f.api.requests.filter((r) => r.path.startsWith('/crm/v8/')).length;
    await a.count('Deals', signal);
    await a.count('Deals', signal);
    await b.count('Deals', signal);
    await b.count('Deals', signal);
    await b.count('Deals', signal);
    expect(apiCalls()).toBe(5);
    const [key] = taken;
    expect(key).toMatch(new RegExp(`^zoho:credits:[0-9a-f]{16} 5/${DAY}$`));
    expect(new Set(taken)).toEqual(new Set([key]));
    // The day's five credits are spent between them: a sixth call from either waits for the
    // next day's window (here: until it is cancelled) and never reaches Zoho.
    for (const client of [a, b]) {
      const held = client.count('Deals', AbortSignal.timeout(300));
      await expect(held).rejects.toThrow();
    }
    expect(apiCalls()).toBe(5);
    // The refusals were the shared budget's, not Zoho's: a client outside it still gets through.
    const alone = createZohoClient({ ...config, ZOHO_DAILY_CREDITS: 4 });
    await alone.count('Deals', signal);
    expect(apiCalls()).toBe(6);
  });
});
