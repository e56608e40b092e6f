import { SyncEngine } from '@crmsync/core';
import { MemoryStore } from '@crmsync/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startCallRailKitFixture } from './fake-server/index.js';
import callrailPlugin from './index.js';
import { absoluteUrl, currencyAmount } from './values.js';

type Fixture = Awaited<ReturnType<typeof startCallRailKitFixture>>;
let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('CallRail values as the API sends them', () => {
  it('reads the amount of a currency string', () => {
    expect(currencyAmount('$100.00')).toBe(100);
    expect(currencyAmount('$1,250.50')).toBe(1250.5);
    expect(currencyAmount('-$5.25')).toBe(-5.25);
    expect(currencyAmount('€ 12')).toBe(12);
    expect(currencyAmount(42.5)).toBe(42.5);
    expect(currencyAmount('')).toBeNull();
    expect(currencyAmount('n/a')).toBeNull();
    expect(currencyAmount(null)).toBeNull();
  });

  it('makes a protocol-relative URL absolute over https and leaves others alone', () => {
    expect(absoluteUrl('//cdn.callrail.com/companies/1/swap.js')).toBe(
      'https://cdn.callrail.com/companies/1/swap.js',
    );
    expect(absoluteUrl('https://example.com/a')).toBe('https://example.com/a');
    expect(absoluteUrl(null)).toBeNull();
  });

  it('syncs every entity without a validation warning: "$100.00" values, "USR…" ids, "//cdn…" scripts', async () => {
    fixture = await startCallRailKitFixture({ size: 60 });
    const { data } = fixture.fake;
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, progressIntervalMs: 0 });
    const runs = await engine.runAll({ plugin: callrailPlugin, config: fixture.config });
    for (const run of runs) {
      expect(run.status, `${run.syncType}: ${run.errorMessage}`).toBe('success');
      expect(run.performanceMetrics?.validationWarnings ?? 0, run.syncType).toBe(0);
    }

    const valued = data.calls.find((c) => typeof c.value === 'string' && c.value.includes(','));
    const call = await store.getRecord('callrail', 'calls', String(valued?.id));
    expect(call?.data.value).toBe('$1,250.50');
    expect(call?.data.value_amount).toBe(1250.5);

    const user = data.users[0] as { id: string };
    expect(user.id).toMatch(/^USR/);
    expect((await store.getRecord('callrail', 'users', user.id))?.data.id).toBe(user.id);

    const company = data.companies[0] as { id: string; script_url: string };
    expect(company.script_url).toMatch(/^\/\/cdn\./);
    expect((await store.getRecord('callrail', 'companies', company.id))?.data.script_url).toBe(
      `https:${company.script_url}`,
    );
  });
});
