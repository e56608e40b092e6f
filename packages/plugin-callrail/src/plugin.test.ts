import {
  createRequestMetrics,
  type FetchRequest,
  type Logger,
  parsePluginOptions,
  resolvePluginConfig,
} from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startCallRailKitFixture } from './fake-server/index.js';
import callrailPlugin from './index.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
type Fixture = Awaited<ReturnType<typeof startCallRailKitFixture>>;
let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('callrail plugin over every entity', () => {
  it('reads every record of every entity from the fake account', async () => {
    fixture = await startCallRailKitFixture({ size: 150 });
    const metrics = createRequestMetrics();
    const client = await callrailPlugin.createClient({
      config: fixture.config,
      logger: quiet,
      metrics,
      signal: new AbortController().signal,
    });
    const { data } = fixture.fake;
    const expected: Record<string, number> = {
      accounts: data.accounts.length,
      companies: data.companies.length,
      users: data.users.length,
      tags: data.tags.length,
      trackers: data.trackers.length,
      calls: data.calls.length,
      form_submissions: data.form_submissions.length,
      text_messages: data.conversations.length,
    };
    for (const entity of callrailPlugin.entities) {
      const request: FetchRequest = {
        mode: 'full',
        batchSize: 50,
        signal: new AbortController().signal,
        options: {},
        logger: quiet,
      };
      let n = 0;
      for await (const page of entity.fetch(client, request)) n += page.records.length;
      expect(n, entity.name).toBe(expected[entity.name]);
    }
    expect(metrics.apiCalls).toBeGreaterThan(8);
    expect((await callrailPlugin.health?.(client, new AbortController().signal))?.ok).toBe(true);
  });

  it('resolves its settings and options the way hosts do', async () => {
    fixture = await startCallRailKitFixture({ size: 5 });
    const env = {
      CALLRAIL_API_KEY: fixture.fake.apiKey,
      CALLRAIL_ACCOUNT_ID: fixture.fake.accountId,
      CALLRAIL_BASE_URL: fixture.fake.baseUrl,
    };
    const resolved = resolvePluginConfig(callrailPlugin, { env });
    expect(resolved).toMatchObject({ configured: true, invalid: [] });
    expect(resolved.values).toMatchObject({
      CALLRAIL_HOURLY_LIMIT: 1000,
      CALLRAIL_DAILY_LIMIT: 10_000,
    });
    expect(resolvePluginConfig(callrailPlugin, { env: {} }).missing).toEqual([
      'CALLRAIL_API_KEY',
      'CALLRAIL_ACCOUNT_ID',
    ]);
    expect(parsePluginOptions(callrailPlugin, { windowDays: '14' })).toEqual({
      'window-days': 14,
      'wide-window-days': 90,
      'wide-window-every-hours': 24,
    });
    expect(() => parsePluginOptions(callrailPlugin, { 'window-days': 365 })).toThrow();
  });

  it('declares trailing-window deltas for event-dated lists and full reloads for setup lists', () => {
    const kinds = Object.fromEntries(callrailPlugin.entities.map((e) => [e.name, e.delta.kind]));
    expect(kinds).toMatchObject({
      calls: 'trailing-window',
      form_submissions: 'trailing-window',
      text_messages: 'trailing-window',
      companies: 'none',
    });
    expect(callrailPlugin.config.CALLRAIL_API_KEY?.secret).toBe(true);
  });
});
