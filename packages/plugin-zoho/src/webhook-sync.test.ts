import { createRequestMetrics, MemoryStore, SyncEngine, silentLogger } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeZoho, fakeZohoConfig, startFakeZoho } from './fake-server/index.js';
import { zohoPlugin } from './index.js';
import { channelIdFor } from './subscriptions.js';

let fake: FakeZoho | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('zoho webhooks: reads by id, notification channels', () => {
  it('reads a notification’s 250 ids in three `ids=` calls of ≤ 100 and soft-deletes deleted ones', async () => {
    fake = await startFakeZoho({ size: 300 });
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, logger: silentLogger(), progressIntervalMs: 0 });
    const config = fakeZohoConfig(fake);
    const all = fake.org
      .module('Deals')
      .records.all()
      .map((r) => r.id);
    // A first full read puts every deal in the store; the webhook then re-reads 250.
    await engine.runEntity({ plugin: zohoPlugin, entity: 'deals', config });
    const changed = all.slice(0, 250);
    for (const id of changed) fake.org.touch('Deals', id, { Deal_Name: `Renamed ${id}` });
    const gone = all[299] as string;
    fake.org.remove('Deals', gone);
    const before = fake.api.requests.length;
    const run = await engine.runEntity({
      plugin: zohoPlugin,
      entity: 'deals',
      config,
      trigger: 'webhook',
      webhook: { events: 3, ids: changed, deletedIds: [gone] },
    });
    expect(run).toMatchObject({ status: 'success', trigger: 'webhook' });
    const calls = fake.api.requests.slice(before).filter((r) => r.path === '/crm/v8/Deals');
    expect(calls.map((r) => r.query.get('ids')?.split(',').length)).toEqual([100, 100, 50]);
    expect(calls.every((r) => r.query.get('fields'))).toBe(true);
    expect(run.counts).toMatchObject({ updated: 250, deleted: 1 });
    const first = changed[0] as string;
    expect((await store.getRecord('zoho', 'deals', first))?.data.Deal_Name).toBe(
      `Renamed ${first}`,
    );
    expect((await store.getRecord('zoho', 'deals', gone))?.deletedAt).toBeInstanceOf(Date);
  });

  it('enables a channel per URL with the token, lists its expiry, renews and disables it', async () => {
    fake = await startFakeZoho();
    const client = await zohoPlugin.createClient({
      config: fakeZohoConfig(fake) as never,
      logger: silentLogger(),
      metrics: createRequestMetrics(),
      signal: new AbortController().signal,
    });
    const subs = zohoPlugin.webhooks?.subscriptions;
    if (!subs?.renew) throw new Error('zoho has no renewable subscriptions');
    const signal = new AbortController().signal;
    const url = 'https://sync.example.com/hooks/zoho';
    const day = 86_400_000;
    const made = await subs.enable(client, {
      url,
      entities: ['deals', 'leads'],
      secret: 'zoho-channel-token',
      ttlMs: day,
      signal,
    });
    expect(made.map((s) => [s.id, s.entity, s.events])).toEqual([
      [channelIdFor(url), 'deals', ['Deals.all']],
      [channelIdFor(url), 'leads', ['Leads.all']],
    ]);
    expect(fake.watches.map((w) => [w.module, w.token, w.notifyUrl])).toEqual([
      ['Deals', 'zoho-channel-token', url],
      ['Leads', 'zoho-channel-token', url],
    ]);
    const listed = await subs.list(client, signal);
    expect(listed.map((s) => s.entity)).toEqual(['deals', 'leads']);
    const expiry = listed[0]?.expiresAt?.getTime() ?? 0;
    expect(Math.abs(expiry - (Date.now() + day))).toBeLessThan(60_000);
    // Renewal: the same channel, a new expiry (up to Zoho's week).
    const renewed = await subs.renew(client, { secret: 'zoho-channel-token', signal });
    expect(renewed.map((s) => s.id)).toEqual([channelIdFor(url), channelIdFor(url)]);
    expect(renewed[0]?.expiresAt?.getTime()).toBeGreaterThan(expiry + 5 * day);
    expect(fake.watches).toHaveLength(2);
    expect(fake.watches[0]?.events).toEqual(['Deals.create', 'Deals.edit', 'Deals.delete']);
    await expect(subs.enable(client, { url, secret: 'x'.repeat(51), signal })).rejects.toThrow(
      /ZOHO_WEBHOOK_SECRET: .*at most 50/,
    );
    await expect(
      subs.enable(client, { url, entities: ['bad entity'], secret: 't', signal }),
    ).rejects.toThrow(/--entity bad entity/);
    expect(await subs.disable(client, [], signal)).toEqual([channelIdFor(url)]);
    expect(await subs.list(client, signal)).toEqual([]);
    await expect(subs.disable(client, ['123'], signal)).rejects.toThrow(/channel 123/);
    await zohoPlugin.closeClient?.(client);
  });
});
