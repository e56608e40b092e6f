import { describe, expect, it } from 'vitest';
import { defineCrmPlugin } from '../contracts/define-plugin.js';
import { defineEntity } from '../contracts/plugin.js';
import type { SyncOptions } from '../contracts/run.js';
import { MemoryStore } from '../store/memory-store.js';
import { SyncEngine } from './sync-engine.js';

interface Link {
  id: string;
  owner: string;
}

/** Links read owner by owner, each owner's page saying it holds that owner's links whole. */
function linksPlugin(links: Link[]) {
  return defineCrmPlugin<null>({
    contractVersion: 1,
    name: 'groups',
    displayName: 'Groups',
    kind: 'api',
    config: {},
    entities: [
      defineEntity<null, Link>({
        name: 'links',
        primaryKey: 'id',
        delta: { kind: 'updated-since', field: 'updated' },
        groupedBy: ['owner'],
        fields: {
          id: { type: 'string', required: true },
          owner: { type: 'string', required: true },
        },
        async *fetch() {
          for (const owner of new Set(links.map((l) => l.owner)))
            yield { records: links.filter((l) => l.owner === owner), completeGroups: [[owner]] };
        },
      }),
    ],
    createClient: () => null,
  });
}

async function removeALinkAndSync(store: MemoryStore) {
  const links: Link[] = [
    { id: 'a', owner: '1' },
    { id: 'b', owner: '1' },
  ];
  const plugin = linksPlugin(links);
  const engine = new SyncEngine({ store, heartbeatIntervalMs: 60_000, progressIntervalMs: 0 });
  const run = (options: SyncOptions = {}) =>
    engine.runEntity({ plugin, entity: 'links', config: {}, options, trigger: 'cli' });
  await run();
  links.pop();
  const delta = await run();
  const events = await store.listEvents(delta.id);
  const b = await store.getRecord('groups', 'links', 'b');
  return { delta, warnings: events.filter((e) => e.level === 'warn'), bDeleted: b?.deletedAt };
}

describe('grouped deletes at the end of a read', () => {
  it('go through the store’s groupedDeletes capability when it offers one', async () => {
    const { delta, warnings, bDeleted } = await removeALinkAndSync(new MemoryStore());
    expect(delta).toMatchObject({ mode: 'delta', status: 'success' });
    expect(delta.counts.deleted).toBe(1);
    expect(bDeleted).toBeInstanceOf(Date);
    expect(warnings).toEqual([]);
  });

  it('are skipped with a warning naming the capability on a store without it', async () => {
    const store = new MemoryStore({ groupedDeletes: false });
    const { delta, warnings, bDeleted } = await removeALinkAndSync(store);
    expect(delta).toMatchObject({ mode: 'delta', status: 'success' });
    expect(delta.counts.deleted).toBe(0);
    expect(bDeleted).toBeNull();
    expect(warnings.map((w) => w.message)).toEqual([
      'groups links: records the CRM removed from 1 group(s) stay live: the store cannot soft-delete by group (groupedDeletes); a full sync removes them',
    ]);
  });
});
