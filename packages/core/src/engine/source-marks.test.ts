import { describe, expect, it } from 'vitest';
import { defineCrmPlugin } from '../contracts/define-plugin.js';
import type { FetchRequest } from '../contracts/plugin.js';
import { MemoryStore } from '../store/memory-store.js';
import { SyncEngine } from './sync-engine.js';

/** A source of `rows` rows in pages of 2, marking each read with `version` and noting what it was handed. */
function source(version: { value: string }, seen: Array<FetchRequest['marks']>) {
  return defineCrmPlugin<null>({
    contractVersion: 1,
    name: 'marked',
    displayName: 'Marked',
    kind: 'file',
    config: {},
    entities: [
      {
        name: 'rows',
        primaryKey: 'id',
        delta: { kind: 'none' },
        fields: { id: { type: 'string', required: true } },
        async *fetch(_client, request) {
          seen.push(request.marks);
          for (let i = 0; i < 6; i += 2)
            yield {
              records: [{ id: String(i) }, { id: String(i + 1) }],
              marks: { version: version.value },
            };
        },
      },
    ],
    createClient: () => null,
  });
}

describe('source marks', () => {
  it('hands a read the marks of the last complete, real read — not of a cut-short or dry one', async () => {
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, progressIntervalMs: 0 });
    const version = { value: 'v1' };
    const seen: Array<FetchRequest['marks']> = [];
    const plugin = source(version, seen);
    const sync = (options = {}) =>
      engine.runEntity({ plugin, entity: 'rows', config: {}, options });

    await sync();
    version.value = 'v2';
    await sync({ maxRecords: 3 });
    await sync({ dryRun: true });
    await sync();
    await sync();
    expect(seen).toEqual([
      undefined,
      { version: 'v1' },
      { version: 'v1' },
      { version: 'v1' },
      { version: 'v2' },
    ]);
  });
});
