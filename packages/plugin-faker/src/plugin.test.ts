import {
  checkPluginCompatibility,
  createLogger,
  createRequestMetrics,
  parsePluginOptions,
  publicConfig,
  resolvePluginConfig,
  SyncEngine,
} from '@crmsync/core';
import { describePluginKit, MemoryStore } from '@crmsync/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakerEntity } from './fake-server/dataset.js';
import { type FakerServer, startFakerServer } from './fake-server/server.js';
import { FakerClient, fakerPlugin } from './index.js';

describePluginKit({
  plugin: fakerPlugin,
  // Its four entities are alike (updated-since, cursor paging): the first stands for them.
  coverage: 'every-delta-kind',
  unsupported: { deletes: 'the faker API never removes a record: it has nothing to report' },
  async setup({ size, entity }) {
    const type = entity as FakerEntity;
    const server = await startFakerServer({ size: { [type]: size }, seed: 7 });
    return {
      config: {
        baseUrl: server.url,
        token: server.token,
        size,
        seed: 7,
        changesPerMinute: 0,
        requestsPerSecond: 1000,
      },
      badCredentials: { token: 'wrong-faker-token-0000' },
      mutate: async (n) => server.mutate(type, n),
      addRecords: async (n, at) => server.addRecords(type, n, at),
      corrupt: async (n) => server.corrupt(type, n),
      injectFault: (f) => server.injectFault(type, f),
      requestedPageSizes: () => server.requestedPageSizes(type),
      setUpdatedAt: async (id, at) => server.setUpdatedAt(type, id, at),
      close: () => server.close(),
    };
  },
});

describe('the faker plugin', () => {
  it('runs every entity in dependency order through the engine with the embedded API', async () => {
    const store = new MemoryStore();
    const engine = new SyncEngine({ store });
    const runs = await engine.runAll({
      plugin: fakerPlugin,
      config: { size: 50, seed: 1, changesPerMinute: 0, requestsPerSecond: 1000 },
    });
    expect(runs.map((r) => r.syncType)).toEqual(['contacts', 'companies', 'deals', 'activities']);
    expect(runs.every((r) => r.status === 'success')).toBe(true);
    expect(await store.countRecords('faker', 'contacts')).toBe(50);
    expect(await store.countRecords('faker', 'companies')).toBe(10);
  });

  it('is a well-formed plugin that needs no configuration at all', () => {
    checkPluginCompatibility(fakerPlugin);
    const resolved = resolvePluginConfig(fakerPlugin, { env: {} });
    expect(resolved.configured).toBe(true);
    expect(resolved.values).toMatchObject({ size: 1000, seed: 42 });
    expect(fakerPlugin.entities.find((e) => e.name === 'deals')?.dependsOn).toEqual([
      'contacts',
      'companies',
    ]);
  });

  it('keeps FAKER_TOKEN secret and reads FAKER_SIZE as a number', () => {
    const resolved = resolvePluginConfig(fakerPlugin, {
      env: {
        FAKER_TOKEN: 'tok-very-secret',
        FAKER_SIZE: '20',
        FAKER_BASE_URL: 'http://127.0.0.1:1',
      },
    });
    expect(resolved.values.size).toBe(20);
    expect(publicConfig(fakerPlugin, resolved.values).token).toBe('***');
    expect(resolvePluginConfig(fakerPlugin, { env: { FAKER_SIZE: 'lots' } }).invalid).toEqual([
      { env: 'FAKER_SIZE', expected: 'a whole number' },
    ]);
  });

  it('parses --latency-ms and refuses a negative one', () => {
    expect(parsePluginOptions(fakerPlugin, { latencyMs: '25' })).toEqual({ 'latency-ms': 25 });
    expect(() => parsePluginOptions(fakerPlugin, { 'latency-ms': -1 })).toThrow(
      'Invalid latency-ms: expected a whole number from 0 to 10000',
    );
  });

  it('starts an embedded API for a client without FAKER_BASE_URL and stops it on close', async () => {
    const client = await FakerClient.create({
      config: { size: 10, seed: 1, changesPerMinute: 0, requestsPerSecond: 100 },
      logger: createLogger('crmsync:test', { level: 'error' }),
      metrics: createRequestMetrics(),
      signal: new AbortController().signal,
    });
    const health = await fakerPlugin.health?.(client, new AbortController().signal);
    expect(health?.ok).toBe(true);
    const url = client.http.options.baseUrl;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await fakerPlugin.closeClient?.(client);
    await expect(fetch(`${url}/v1/health`)).rejects.toThrow();
  });

  it('refuses a wrong FAKER_TOKEN as an auth error that does not print the token', async () => {
    server = await startFakerServer({ size: 5 });
    const store = new MemoryStore();
    const run = await new SyncEngine({ store }).runEntity({
      plugin: fakerPlugin,
      entity: 'contacts',
      config: {
        baseUrl: server.url,
        token: 'wrong-secret-token',
        size: 5,
        seed: 1,
        changesPerMinute: 0,
        requestsPerSecond: 100,
      },
    });
    expect(run.status).toBe('failed');
    expect(run.errorMessage).toContain('401');
    expect(run.errorMessage).not.toContain('wrong-secret-token');
  });

  let server: FakerServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
});
