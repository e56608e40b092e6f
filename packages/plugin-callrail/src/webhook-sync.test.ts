import { MemoryStore, SyncEngine, silentLogger } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startCallRailKitFixture } from './fake-server/index.js';
import callrailPlugin from './index.js';

type Fixture = Awaited<ReturnType<typeof startCallRailKitFixture>>;
let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('callrail webhooks: reads by id', () => {
  it('reads each call of a webhook with one GET …/calls/{id}.json; one CallRail no longer has is soft-deleted', async () => {
    fixture = await startCallRailKitFixture({ size: 60 });
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, logger: silentLogger(), progressIntervalMs: 0 });
    const { fake } = fixture;
    const ids = fake.data.calls.slice(0, 6).map((c) => String(c.id));
    const gone = ids[5] as string;
    // Stored by an earlier webhook, then removed at CallRail.
    await engine.runEntity({
      plugin: callrailPlugin,
      entity: 'calls',
      config: fixture.config,
      trigger: 'webhook',
      webhook: { events: 1, ids: [gone] },
    });
    expect(await store.getRecord('callrail', 'calls', gone)).not.toBeNull();
    fake.data.calls.splice(5, 1);
    const before = fake.api.requests.length;
    const run = await engine.runEntity({
      plugin: callrailPlugin,
      entity: 'calls',
      config: fixture.config,
      trigger: 'webhook',
      webhook: { events: 7, ids: [...ids, ids[0] as string] },
    });
    expect(run).toMatchObject({ status: 'success', trigger: 'webhook' });
    const reads = fake.api.requests.slice(before);
    // One GET per distinct id, each asking the calls' extra fields; no list read.
    expect(reads.map((r) => r.path)).toEqual(
      ids.map((id) => `/v3/a/${fake.accountId}/calls/${id}.json`),
    );
    expect(reads.every((r) => r.query.get('fields')?.includes('lead_status'))).toBe(true);
    expect(reads.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 404]);
    expect(run.counts).toMatchObject({ created: 5, deleted: 1 });
    const first = fake.data.calls[0] as { id: string; lead_status: unknown };
    expect((await store.getRecord('callrail', 'calls', String(first.id)))?.data.lead_status).toBe(
      first.lead_status ?? null,
    );
    expect((await store.getRecord('callrail', 'calls', gone))?.deletedAt).toBeInstanceOf(Date);
  });

  it('has no subscriptions API: says how to set webhooks up in CallRail', () => {
    expect(callrailPlugin.webhooks?.subscriptions).toBeUndefined();
    expect(callrailPlugin.webhooks?.manualSetup).toMatch(/\/hooks\/callrail\/calls/);
  });
});
