import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCrmPlugin } from '../contracts/define-plugin.js';
import { CrmsyncError } from '../contracts/errors.js';
import { defineEntity, type FetchRequest } from '../contracts/plugin.js';
import { silentLogger } from '../logging/logger.js';
import { MemoryStore } from '../store/memory-store.js';
import { SyncEngine } from './sync-engine.js';

interface Row {
  id: string;
}

/**
 * A CRM of 6 rows in pages of 2 whose plugin can be "upgraded" between runs: version 1
 * checkpoints `{ page }`, version 2 declares `{ cursor }`. It can fail after its first page.
 */
function crm(version: 1 | 2, pageSize?: { default: number; max: number }) {
  const asked: FetchRequest[] = [];
  let failAfterFirstPage = false;
  const entity = defineEntity<null, Row, { page?: number; cursor?: string }>({
    name: 'rows',
    primaryKey: 'id',
    delta: { kind: 'none' },
    fields: { id: { type: 'string', required: true } },
    ...(pageSize && { pageSize }),
    checkpoint:
      version === 1 ? z.strictObject({ page: z.number() }) : z.strictObject({ cursor: z.string() }),
    async *fetch(_, request) {
      asked.push(request);
      for (let page = 0; page < 3; page++) {
        if (page === 1 && failAfterFirstPage)
          throw new CrmsyncError('transient', 'connection reset');
        const records = [{ id: String(page * 2 + 1) }, { id: String(page * 2 + 2) }];
        yield { records, checkpoint: version === 1 ? { page } : { cursor: String(page) } };
      }
    },
  });
  const plugin = defineCrmPlugin({
    name: 'upgraded',
    displayName: 'Upgraded',
    kind: 'api',
    config: {},
    entities: [entity],
    createClient: () => null,
  });
  return { plugin, asked, failNext: () => (failAfterFirstPage = true) };
}

/** An engine over a fresh store, and `--full` runs of the `rows` entity of a given plugin. */
function fullReads() {
  const store = new MemoryStore();
  const engine = new SyncEngine({ store, logger: silentLogger() });
  const run = (plugin: ReturnType<typeof crm>['plugin']) =>
    engine.runEntity({
      plugin,
      entity: 'rows',
      config: {},
      trigger: 'cli',
      options: { full: true },
    });
  return { store, run };
}

describe('the request the engine hands to fetch', () => {
  it('drops a checkpoint the entity no longer parses, says so, and reads from the start', async () => {
    const { store, run } = fullReads();
    const old = crm(1);
    old.failNext();
    const failed = await run(old.plugin);
    expect(failed).toMatchObject({ status: 'failed', checkpoint: { page: 0 } });

    const upgraded = crm(2);
    const next = await run(upgraded.plugin);
    expect(next).toMatchObject({ status: 'success', resumedFromRunId: failed.id });
    expect(upgraded.asked[0]?.checkpoint).toBeUndefined();
    expect(next.counts.processed).toBe(6);
    const events = await store.listEvents(next.id);
    expect(events.map((e) => e.message).join('\n')).toContain(
      "rows: the stored checkpoint does not match this plugin's checkpoint shape",
    );
  });

  it('hands a checkpoint that parses to fetch as the schema parsed it', async () => {
    const { run } = fullReads();
    const first = crm(2);
    first.failNext();
    await run(first.plugin);
    const again = crm(2);
    await run(again.plugin);
    expect(again.asked[0]?.checkpoint).toEqual({ cursor: '0' });
  });

  it("asks the entity's default page size unless told, and clamps a larger one to its max", async () => {
    const engine = new SyncEngine({ store: new MemoryStore(), logger: silentLogger() });
    const sized = crm(2, { default: 250, max: 500 });
    const unsized = crm(2);
    for (const [plugin, batchSize] of [
      [sized.plugin, undefined],
      [sized.plugin, 2_000],
      [sized.plugin, 20],
      [unsized.plugin, undefined],
    ] as const)
      await engine.runEntity({
        plugin,
        entity: 'rows',
        config: {},
        trigger: 'cli',
        options: { force: true, ...(batchSize && { batchSize }) },
      });
    expect(sized.asked.map((r) => r.batchSize)).toEqual([250, 500, 20]);
    expect(unsized.asked.map((r) => r.batchSize)).toEqual([100]);
  });
});
