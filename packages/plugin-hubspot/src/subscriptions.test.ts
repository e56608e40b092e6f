import { createRequestMetrics, silentLogger } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeHubspotServer } from './fake-server/server.js';
import { hubspotPlugin } from './index.js';
import type { HubspotClient } from './client.js';
import { WATCHED_PROPERTIES } from './subscriptions.js';

let fake: FakeHubspotServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const open = (config: Record<string, unknown>) =>
  hubspotPlugin.createClient({
    config: config as never,
    logger: silentLogger(),
    metrics: createRequestMetrics(),
    signal: new AbortController().signal,
  }) as Promise<HubspotClient>;

describe('hubspot app webhook subscriptions (webhooks v3, developer API key)', () => {
  it('sets the target URL and subscribes each object, once; lists and removes them', async () => {
    fake = await FakeHubspotServer.start({ rateLimit: null });
    const client = await open({
      HUBSPOT_ACCESS_TOKEN: fake.accessToken,
      HUBSPOT_BASE_URL: fake.baseUrl,
      HUBSPOT_APP_ID: String(fake.developer.appId),
      HUBSPOT_DEVELOPER_API_KEY: fake.developer.apiKey,
    });
    const subs = hubspotPlugin.webhooks?.subscriptions;
    if (!subs) throw new Error('hubspot has no subscriptions capability');
    const signal = new AbortController().signal;
    const url = 'https://sync.example.com/hooks/hubspot';
    const made = await subs.enable(client, { url, entities: ['deals'], secret: 'unused', signal });
    expect(fake.webhookApp.settings?.targetUrl).toBe(url);
    const types = made.map((s) => s.events[0]);
    expect(types).toEqual([
      'deal.creation',
      'deal.deletion',
      'deal.merge',
      'deal.restore',
      ...(WATCHED_PROPERTIES.deal ?? []).map((p) => `deal.propertyChange:${p}`),
    ]);
    expect(made.every((s) => s.entity === 'deals' && s.url === url && s.active)).toBe(true);
    // The developer key went as hapikey, never as a bearer token.
    const calls = fake.api.requests.filter((r) => r.path.startsWith('/webhooks/v3/'));
    expect(calls.every((r) => r.query.get('hapikey') === fake?.developer.apiKey)).toBe(true);
    // Again: nothing new.
    const again = await subs.enable(client, { url, entities: ['deals'], secret: 'unused', signal });
    expect(again.map((s) => s.id)).toEqual(made.map((s) => s.id));
    expect(fake.webhookApp.subscriptions.size).toBe(made.length);
    expect((await subs.list(client, signal)).map((s) => s.id)).toEqual(made.map((s) => s.id));
    const first = made[0]?.id as string;
    expect(await subs.disable(client, [first], signal)).toEqual([first]);
    expect(fake.webhookApp.subscriptions.size).toBe(made.length - 1);
    expect(await subs.disable(client, [], signal)).toHaveLength(made.length - 1);
    expect(fake.webhookApp.subscriptions.size).toBe(0);
    expect(fake.webhookApp.settings).toBeUndefined();
    expect(await subs.list(client, signal)).toEqual([]);
    await hubspotPlugin.closeClient?.(client);
  });

  it('names the settings it needs, and keeps a wrong developer key out of the error', async () => {
    fake = await FakeHubspotServer.start({ rateLimit: null });
    const subs = hubspotPlugin.webhooks?.subscriptions;
    if (!subs) throw new Error('hubspot has no subscriptions capability');
    const signal = new AbortController().signal;
    const bare = await open({
      HUBSPOT_ACCESS_TOKEN: fake.accessToken,
      HUBSPOT_BASE_URL: fake.baseUrl,
    });
    await expect(subs.list(bare, signal)).rejects.toThrow(
      /HUBSPOT_APP_ID and HUBSPOT_DEVELOPER_API_KEY/,
    );
    const wrong = await open({
      HUBSPOT_ACCESS_TOKEN: fake.accessToken,
      HUBSPOT_BASE_URL: fake.baseUrl,
      HUBSPOT_APP_ID: String(fake.developer.appId),
      HUBSPOT_DEVELOPER_API_KEY: 'wrong-developer-key-123',
    });
    const error = await subs.list(wrong, signal).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/401/);
    expect((error as Error).message).not.toContain('wrong-developer-key-123');
  });
});
