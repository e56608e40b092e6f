import { describe, expect, it } from 'vitest';
import { defineCrmPlugin } from '../contracts/define-plugin.js';
import { defineEntity, type FetchRequest } from '../contracts/plugin.js';
import { silentLogger } from '../logging/index.js';
import { MemoryStore } from '../store/memory-store.js';
import { slicedEntity, slicesOption } from './sliced-read.js';
import { SyncEngine } from './sync-engine.js';

const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 500 * HOUR;
type Row = { id: string; at: string };

/**
 * A CRM in memory whose list filters by change time ([since, until)), pages by an offset
 * cursor, reports the total, and (like HubSpot's search) serves at most `cap` records a query.
 */
function crm(size: number, cap = Number.POSITIVE_INFINITY) {
  const rows: Row[] = Array.from({ length: size }, (_, i) => ({
    id: String(i + 1),
    at: new Date(T0 + i * HOUR).toISOString(),
  }));
  const asked: Array<{ since?: string; until?: string; offset: number }> = [];
  const list = defineEntity<unknown, Row, { offset: number }>({
    name: 'items',
    primaryKey: 'id',
    delta: { kind: 'updated-since', field: 'at' },
    fields: { id: { type: 'string', required: true }, at: { type: 'datetime' } },
    async *fetch(_client, request: FetchRequest<{ offset: number }>) {
      const inRange = rows.filter(
        (r) =>
          (!request.since || Date.parse(r.at) >= request.since.getTime()) &&
          (!request.until || Date.parse(r.at) < request.until.getTime()),
      );
      if (inRange.length > cap) throw new Error(`query over the cap of ${cap}`);
      let offset = request.checkpoint?.offset ?? 0;
      while (offset < inRange.length) {
        asked.push({
          ...(request.since && { since: request.since.toISOString() }),
          ...(request.until && { until: request.until.toISOString() }),
          offset,
        });
        const page = inRange.slice(offset, offset + request.batchSize);
        offset += page.length;
        yield { records: page, checkpoint: { offset }, estimatedTotal: inRange.length };
      }
    },
  });
  return { rows, asked, list };
}

function plugin(entity: ReturnType<typeof slicedEntity<unknown, Row, { offset: number }>>) {
  return defineCrmPlugin({
    name: 'slicetest',
    displayName: 'Slice test',
    kind: 'api',
    config: {},
    options: { slices: slicesOption },
    entities: [entity],
    createClient: () => ({}),
  });
}

describe('slicedEntity', () => {
  const origin = async () => new Date(T0);

  it('reads every record once across slices, each slice asked with its own bounds', async () => {
    const { list, asked } = crm(200);
    const engine = new SyncEngine({ store: new MemoryStore(), logger: silentLogger() });
    const run = await engine.runEntity({
      plugin: plugin(slicedEntity(list, { origin, slices: 8 })),
      entity: 'items',
      config: {},
      options: { batchSize: 10 },
    });
    expect(run.counts).toMatchObject({ processed: 200, created: 200 });
    const firsts = asked.filter((a) => a.offset === 0);
    expect(firsts.length).toBeGreaterThanOrEqual(4);
    // Spans meet exactly, the first from the oldest record.
    const bounds = firsts
      .map((a) => [a.since, a.until])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(bounds[0]?.[0]).toBe(new Date(T0).toISOString());
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]?.[0]).toBe(bounds[i - 1]?.[1]);
  });

  it('splits a slice whose first page reports more than the cap, keeping nothing of it twice', async () => {
    const { list } = crm(400, 60);
    // The cap throws in the fake when asked too much at once; estimatedTotal is checked first.
    const capped = { ...list, fetch: list.fetch };
    const entity = slicedEntity(
      {
        ...capped,
        async *fetch(client, request) {
          try {
            yield* list.fetch(client, request);
          } catch (error) {
            if (!String(error).includes('cap')) throw error;
            // Like HubSpot: the query answers its total, then refuses to page past the cap.
            yield { records: [], estimatedTotal: 61 };
          }
        },
      },
      { origin, slices: 2, cap: 60, minSpanMs: HOUR },
    );
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, logger: silentLogger() });
    const run = await engine.runEntity({
      plugin: plugin(entity),
      entity: 'items',
      config: {},
      options: { batchSize: 25 },
    });
    expect(run.errorMessage).toBeNull();
    expect(run.counts).toMatchObject({ processed: 400, created: 400 });
  });

  it('resumes each slice from its own checkpoint after a crash, reading no written page again', async () => {
    const { list } = crm(240);
    let served = 0;
    let crash = true;
    // The CRM drops the connection once, on the 7th page asked.
    const flaky = {
      ...list,
      async *fetch(client: unknown, request: FetchRequest<{ offset: number }>) {
        for await (const page of list.fetch(client, request)) {
          if (crash && ++served === 7) {
            crash = false;
            throw new Error('socket hang up');
          }
          yield page;
        }
      },
    };
    const entity = slicedEntity(flaky, { origin, slices: 4 });
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, logger: silentLogger() });
    const first = await engine.runEntity({
      plugin: plugin(entity),
      entity: 'items',
      config: {},
      options: { batchSize: 10 },
    });
    expect(first.status).toBe('failed');
    expect(first.checkpoint).toHaveProperty('sliced');
    const written = await store.countRecords('slicetest', 'items');
    expect(written).toBeGreaterThan(0);
    const second = await engine.runEntity({
      plugin: plugin(entity),
      entity: 'items',
      config: {},
      options: { batchSize: 10 },
    });
    expect(second.resumedFromRunId).toBe(first.id);
    expect(second.counts.processed).toBe(240 - written);
    expect(await store.countRecords('slicetest', 'items')).toBe(240);
  });

  it('refuses an entity without a change-time delta', () => {
    const { list } = crm(1);
    expect(() => slicedEntity({ ...list, delta: { kind: 'none' } }, { origin })).toThrow(
      /needs a delta by change time/,
    );
  });
});
