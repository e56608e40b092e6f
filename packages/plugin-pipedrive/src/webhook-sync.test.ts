import { createRequestMetrics, MemoryStore, SyncEngine, silentLogger } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { pipedriveFixture, startFakePipedrive } from './fake-server/index.js';
import pipedrivePlugin from './index.js';

describe('pipedrive webhooks: reads by id, subscriptions', () => {
  const open: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of open.splice(0)) await close();
  });

  it('reads a webhook’s 150 ids in two `ids=` calls of ≤ 100 and soft-deletes deleted ones', async () => {
    const fixture = await pipedriveFixture('deals', 300);
    open.push(() => fixture.close());
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, logger: silentLogger() });
    const changed = Array.from({ length: 150 }, (_, i) => String(i + 1));
    // A deal Pipedrive reports as deleted when read, and one the webhook said was deleted.
    const [flagged] = await fixture.remove(1);
    const run = await engine.runEntity({
      plugin: pipedrivePlugin,
      entity: 'deals',
      config: fixture.config,
      trigger: 'webhook',
      webhook: { events: 152, ids: [...changed, '9999'], deletedIds: ['200'] },
    });
    expect(run).toMatchObject({ status: 'success', trigger: 'webhook' });
    const reads = fixture.api.requests.filter(
      (r) => r.path === '/api/v2/deals' && r.query.has('ids'),
    );
    expect(reads.map((r) => r.query.get('ids')?.split(',').length)).toEqual([100, 51]);
    expect(reads.every((r) => r.query.get('status') === 'open,won,lost,deleted')).toBe(true);
    // Nothing else was listed: no full or delta read.
    expect(
      fixture.api.requests.filter((r) => r.path === '/api/v2/deals' && !r.query.has('ids')),
    ).toHaveLength(0);
    expect(run.counts.created).toBe(149);
    expect((await store.getRecord('pipedrive', 'deals', '150'))?.data.title).toBe(
      fixture.data.deals.records.get('150')?.title,
    );
    expect(await store.getRecord('pipedrive', 'deals', '151')).toBeNull();
    expect(await store.getRecord('pipedrive', 'deals', '9999')).toBeNull();
    // Read back flagged is_deleted: not stored as a live record.
    expect(flagged).toBe('1');
    expect(await store.getRecord('pipedrive', 'deals', '1')).toBeNull();
  });

  it('enables one webhook per entity with the Basic credentials, lists and disables them', async () => {
    const fake = await startFakePipedrive({ size: 1, entities: ['deals'] });
    open.push(() => fake.api.close());
    const client = await pipedrivePlugin.createClient({
      config: { PIPEDRIVE_API_TOKEN: fake.token, PIPEDRIVE_BASE_URL: fake.baseUrl },
      logger: silentLogger(),
      metrics: createRequestMetrics(),
      signal: new AbortController().signal,
    });
    const subs = pipedrivePlugin.webhooks?.subscriptions;
    if (!subs) throw new Error('pipedrive has no subscriptions capability');
    const signal = new AbortController().signal;
    const request = {
      url: 'https://sync.example.com/hooks/pipedrive',
      entities: ['deals', 'persons'],
      secret: 'crmsync:pd-pass',
      signal,
    };
    const made = await subs.enable(client, request);
    expect(made.map((s) => [s.entity, s.events, s.active])).toEqual([
      ['deals', ['*.deal'], true],
      ['persons', ['*.person'], true],
    ]);
    const stored = [...fake.webhooks.values()];
    expect(stored.map((w) => [w.http_auth_user, w.http_auth_password, w.version])).toEqual([
      ['crmsync', 'pd-pass', '2.0'],
      ['crmsync', 'pd-pass', '2.0'],
    ]);
    // Again: the same webhooks, none added.
    expect((await subs.enable(client, request)).map((s) => s.id)).toEqual(made.map((s) => s.id));
    expect(fake.webhooks.size).toBe(2);
    await expect(subs.enable(client, { ...request, secret: 'no-colon' })).rejects.toThrow(
      /PIPEDRIVE_WEBHOOK_SECRET: expected user:password/,
    );
    expect((await subs.list(client, signal)).map((s) => s.url)).toEqual([request.url, request.url]);
    expect(await subs.disable(client, [made[0]?.id as string], signal)).toEqual([made[0]?.id]);
    expect(await subs.disable(client, [], signal)).toEqual([made[1]?.id]);
    expect(await subs.list(client, signal)).toEqual([]);
    await expect(subs.disable(client, ['77'], signal)).rejects.toThrow(/404|not found/i);
    await pipedrivePlugin.closeClient?.(client);
  });
});
