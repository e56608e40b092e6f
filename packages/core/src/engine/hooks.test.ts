import { describe, expect, it } from 'vitest';
import { defineCrmPlugin } from '../contracts/define-plugin.js';
import { defineEntity } from '../contracts/plugin.js';
import type { SyncRun } from '../contracts/run.js';
import { MemoryStore } from '../store/memory-store.js';
import type { SyncHook } from './hooks.js';
import { SyncEngine } from './sync-engine.js';

const entity = (name: string) =>
  defineEntity<null, { id: string }>({
    name,
    primaryKey: 'id',
    delta: { kind: 'none' },
    fields: { id: { type: 'string' } },
    async *fetch() {
      yield { records: [{ id: `${name}-1` }, { id: `${name}-2` }] };
    },
  });

const plugin = defineCrmPlugin<null>({
  contractVersion: 1,
  name: 'hooked',
  displayName: 'Hooked CRM',
  kind: 'api',
  config: {},
  entities: [entity('contacts'), entity('deals')],
  createClient: () => null,
});

/** Writes down what it is told, in order, the way a `useX()` hook would act on it. */
const useTrail = (trail: string[], name: string): SyncHook => ({
  onRunStarted: (run) => trail.push(`${name} started ${run.syncType}`),
  onRunFinished: (run) => trail.push(`${name} finished ${run.syncType} ${run.status}`),
  onSyncDone: async (runs: SyncRun[]) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    trail.push(`${name} done ${runs.length}`);
  },
});

describe('sync hooks', () => {
  it('calls the engine-wide and the per-sync hooks for each run, then awaits onSyncDone', async () => {
    const trail: string[] = [];
    const engine = new SyncEngine({ store: new MemoryStore(), hooks: [useTrail(trail, 'engine')] });
    const runs = await engine.run({
      plugin,
      config: {},
      entity: 'all',
      hooks: [useTrail(trail, 'call')],
    });
    expect(runs.map((r) => r.status)).toEqual(['success', 'success']);
    expect(trail).toEqual([
      'engine started contacts',
      'call started contacts',
      'engine finished contacts success',
      'call finished contacts success',
      'engine started deals',
      'call started deals',
      'engine finished deals success',
      'call finished deals success',
      'engine done 2',
      'call done 2',
    ]);
  });

  it('keeps a sync going when a hook throws, and a detached hook hears nothing more', async () => {
    const trail: string[] = [];
    const engine = new SyncEngine({ store: new MemoryStore() });
    const detach = engine.use(useTrail(trail, 'engine'));
    const broken: SyncHook = {
      onRunEvent: () => {
        throw new Error('broken hook');
      },
    };
    const [run] = await engine.run({ plugin, config: {}, entity: 'contacts', hooks: [broken] });
    expect(run?.counts.processed).toBe(2);
    detach();
    await engine.run({ plugin, config: {}, entity: 'deals' });
    expect(trail.filter((t) => t.includes('deals'))).toEqual([]);
  });
});
