import {
  type Logger,
  MemoryStore,
  openWriteSession,
  pushChanges,
  recordEdits,
  SyncEngine,
} from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeZoho, fakeZohoConfig, startFakeZoho } from './fake-server/index.js';
import zohoPlugin from './index.js';

let fake: FakeZoho | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

describe('zoho push at the edition’s concurrency cap', () => {
  it('keeps the cap full with batches in flight, never over it (no call refused)', async () => {
    // The fake holds each call's slot 30 ms and refuses a call over the cap with 429.
    fake = await startFakeZoho({ size: 900, concurrency: 3, latencyMs: 30 });
    const config = { ...fakeZohoConfig(fake), ZOHO_CONCURRENCY: 3 };
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, logger: quiet, progressIntervalMs: 0 });
    const run = await engine.runEntity({
      plugin: zohoPlugin,
      entity: 'deals',
      config,
      options: { full: true },
    });
    expect(run.status).toBe('success');
    const session = await openWriteSession({ plugin: zohoPlugin, config, entity: 'deals' });
    try {
      const ids = fake.org
        .module('Deals')
        .records.all()
        .map((r) => r.id);
      await recordEdits({
        store,
        crmSource: 'zoho',
        entity: session.entity,
        writable: await session.writable(),
        edits: ids.map((id, i) => ({ recordId: id, values: { Description: `capped ${i}` } })),
        author: 'test',
      });
      fake.limits.peak = 0;
      fake.limits.refused = 0;
      const calls = () => fake?.api.requests.filter((r) => r.path === '/crm/v8/Deals').length ?? 0;
      const before = calls();
      const result = await pushChanges({
        store,
        crmSource: 'zoho',
        entity: session.entity,
        client: session.client,
        trigger: 'library',
      });
      expect(result).toMatchObject({ status: 'success', written: 900, conflicts: 0, rejected: 0 });
      // Nine batches of 100: a re-read (GET ?ids=) and a PUT each.
      expect(calls() - before).toBe(18);
      expect(fake.limits.peak).toBe(3);
      expect(fake.limits.refused).toBe(0);
      expect(fake.org.module('Deals').records.get(ids[899] ?? '')?.Description).toBe('capped 899');
    } finally {
      await session.close();
    }
  });
});
