import { createRequestMetrics, MemoryStore, SyncEngine, silentLogger } from '@crmsync/core';
import { describePluginKit } from '@crmsync/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type PipedriveEntity, pipedriveFixture } from './fake-server/index.js';
import pipedrivePlugin from './index.js';

// Every scenario of the plugin kit, for each entity: bounds, resume, deletions by the
// `is_deleted` flag, the 500-record page cap, wrong credentials, faults, bad records.
describePluginKit({
  plugin: pipedrivePlugin,
  setup: ({ size, entity }) => pipedriveFixture(entity as PipedriveEntity, size),
  entities: {
    persons: { maxPageSize: 500 },
    organizations: { maxPageSize: 500 },
    deals: { maxPageSize: 500 },
  },
});

describe('pipedrive example', () => {
  const open: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of open.splice(0)) await close();
  });

  async function setup(size: number) {
    const fixture = await pipedriveFixture('persons', size);
    open.push(() => fixture.close());
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, logger: silentLogger() });
    const run = (options: Record<string, unknown> = {}) =>
      engine.runEntity({
        plugin: pipedrivePlugin,
        entity: 'persons',
        config: fixture.config,
        trigger: 'cli',
        options,
      });
    return { fixture, store, run };
  }

  it('asks 500 records a page unless told, and never more than Pipedrive allows', async () => {
    const { fixture, run } = await setup(30);
    await run();
    await run({ force: true, batchSize: 2_000 });
    await run({ force: true, batchSize: 20 });
    expect(fixture.requestedPageSizes()).toEqual([500, 500, 20, 20]);
  });

  it('soft-deletes a person Pipedrive reports with is_deleted on the next delta', async () => {
    const { fixture, store, run } = await setup(10);
    expect((await run()).counts.created).toBe(10);
    expect(await fixture.remove(1)).toEqual(['1']);
    const delta = await run();
    expect(delta.mode).toBe('delta');
    expect(delta.counts).toMatchObject({ processed: 0, deleted: 1 });
    expect((await store.getRecord('pipedriveexample', 'persons', '1'))?.deletedAt).toBeInstanceOf(
      Date,
    );
    expect((await store.getRecord('pipedriveexample', 'persons', '2'))?.deletedAt).toBeNull();
  });

  it('reports a reachable Pipedrive through the default health probe, and a bad token as not', async () => {
    const { fixture } = await setup(3);
    const check = async (token: string) => {
      const config = {
        PIPEDRIVE_API_TOKEN: token,
        PIPEDRIVE_BASE_URL: fixture.baseUrl,
        PIPEDRIVE_BURST_LIMIT: 20,
      };
      const client = await pipedrivePlugin.createClient({
        config,
        logger: silentLogger(),
        metrics: createRequestMetrics(),
        signal: AbortSignal.timeout(5_000),
      });
      try {
        return await pipedrivePlugin.health?.(client, AbortSignal.timeout(5_000));
      } finally {
        await pipedrivePlugin.closeClient?.(client);
      }
    };
    expect(await check(fixture.token)).toMatchObject({ ok: true });
    const refused = await check('wrong-token');
    expect(refused).toMatchObject({ ok: false });
    expect(refused?.message).toContain('Unauthorized');
    expect(refused?.message).not.toContain('wrong-token');
  });
});
