import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrmPlugin, PluginConfigValues } from '../contracts/plugin.js';
import { SyncEngine } from '../engine/sync-engine.js';
import { MemoryStore } from '../store/memory-store.js';
import { recordEdits, resolveConflict } from '../writeback/local-edit.js';
import { pushChanges, type PushHooks } from '../writeback/push.js';
import { openWriteSession, type WriteSession } from '../writeback/session.js';

/** A fake CRM set up for the write kit, with what the kit needs to act at the CRM's side. */
export interface WriteKitFixture {
  config: PluginConfigValues;
  /** Four ids of records the CRM has (synced by a full read before each scenario). */
  ids: readonly string[];
  /** Two writable fields the kit edits (text fields, so any distinct text is a valid value). */
  fields: readonly [string, string];
  /** A value of `field` the CRM accepts, different for each `n` and from every generated record's. */
  value(field: string, n: number): unknown;
  /** Edits a record at the CRM, as a user there would (its modified time moves on). */
  remoteEdit(id: string, field: string, value: unknown): Promise<void>;
  /** The record's value of the field at the CRM now. */
  remoteValue(id: string, field: string): Promise<unknown>;
  /** A change of this record that our checks accept and the CRM refuses (a duplicate email…). */
  refusedChange(id: string): Promise<{ field: string; value: unknown }>;
  /** Write calls that carried this record so far. */
  writesTo(id: string): number;
  close(): Promise<void>;
}

export interface WriteKitOptions {
  // biome-ignore lint/suspicious/noExplicitAny: a plugin of any client type
  plugin: CrmPlugin<any, any>;
  entity: string;
  /** A fresh fake with at least four records of the entity. */
  setup(): Promise<WriteKitFixture>;
}

/**
 * The behaviour every writable entity must have, against its fake: a local-only change is
 * written; a remote-only change is kept; both sides changed to different values is a conflict
 * and nothing is overwritten; the same value on both sides is no conflict; a value the CRM
 * refuses ends `rejected` with its reason while the rest of the batch lands; a crash between
 * the CRM's answer and our bookkeeping neither loses nor repeats the write; a delta sync
 * leaves a pending change pending.
 *
 * @example
 * describeWriteKit({ plugin: hubspotPlugin, entity: 'contacts', setup: () => hubspotWriteFixture() });
 */
export function describeWriteKit(options: WriteKitOptions): void {
  const plugin = options.plugin as CrmPlugin;
  const crm = plugin.name;
  const entityName = options.entity;

  describe(`write kit: ${crm} ${entityName}`, () => {
    let fx: WriteKitFixture;
    let store: MemoryStore;
    let engine: SyncEngine;
    let session: WriteSession;
    let ids: string[];

    beforeEach(async () => {
      fx = await options.setup();
      store = new MemoryStore();
      engine = new SyncEngine({ store, heartbeatIntervalMs: 60_000, progressIntervalMs: 0 });
      const run = await engine.runEntity({
        plugin,
        entity: entityName,
        config: fx.config,
        options: { full: true },
        trigger: 'cli',
      });
      expect(run.status, run.errorMessage ?? '').toBe('success');
      session = await openWriteSession({ plugin, config: fx.config, entity: entityName });
      const writable = await session.writable();
      for (const f of fx.fields) expect(Object.keys(writable), `${f} is writable`).toContain(f);
      ids = fx.ids.slice(0, 4);
      for (const id of ids)
        expect(
          await store.getRecord(crm, entityName, id),
          `record ${id} was synced`,
        ).not.toBeNull();
      expect(ids.length, 'the fixture names four records').toBe(4);
    });
    afterEach(async () => {
      await session?.close();
      await fx?.close();
    });

    const edit = async (id: string, values: Record<string, unknown>) =>
      recordEdits({
        store,
        crmSource: crm,
        entity: session.entity,
        writable: await session.writable(),
        edits: [{ recordId: id, values }],
        author: 'write-kit',
      });
    const push = (hooks?: PushHooks) =>
      pushChanges({
        store,
        crmSource: crm,
        entity: session.entity,
        client: session.client,
        trigger: 'cli',
        ...(hooks && { hooks }),
      });
    const stored = async (id: string, field: string) =>
      (await store.getRecord(crm, entityName, id))?.data[field];
    const state = async (changeId: string) => (await store.localChanges.getChange(changeId))?.state;
    const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

    it('a field changed only here is written to the CRM and the store takes it', async () => {
      const [a = ''] = ids;
      const [f] = fx.fields;
      const [change] = await edit(a, { [f]: fx.value(f, 1) });
      expect(change?.state).toBe('pending');
      const result = await push();
      expect(result).toMatchObject({ status: 'success', written: 1, conflicts: 0, rejected: 0 });
      expect(text(await fx.remoteValue(a, f))).toBe(text(fx.value(f, 1)));
      expect(text(await stored(a, f))).toBe(text(fx.value(f, 1)));
      expect(await state(change?.id ?? '')).toBe('synced');
      const run = await store.getRun(result.runId);
      expect(run).toMatchObject({
        mode: 'push',
        status: 'success',
        syncType: `push:${entityName}`,
      });
      expect(run?.counts.updated).toBe(1);
    });

    it('a field changed only at the CRM is kept, not reverted to the base', async () => {
      const [a = ''] = ids;
      const [f, g] = fx.fields;
      await edit(a, { [f]: fx.value(f, 1) });
      await fx.remoteEdit(a, g, fx.value(g, 2));
      expect(await push()).toMatchObject({ written: 1, conflicts: 0 });
      expect(text(await fx.remoteValue(a, g))).toBe(text(fx.value(g, 2)));
      expect(text(await fx.remoteValue(a, f))).toBe(text(fx.value(f, 1)));
      expect(text(await stored(a, g))).toBe(text(fx.value(g, 2)));
    });

    it('a field changed on both sides to different values is a conflict: nothing is overwritten', async () => {
      const [a = ''] = ids;
      const [f] = fx.fields;
      const base = await stored(a, f);
      const [change] = await edit(a, { [f]: fx.value(f, 3) });
      await fx.remoteEdit(a, f, fx.value(f, 4));
      const writes = fx.writesTo(a);
      expect(await push()).toMatchObject({ status: 'partial', written: 0, conflicts: 1 });
      expect(fx.writesTo(a)).toBe(writes);
      expect(text(await fx.remoteValue(a, f))).toBe(text(fx.value(f, 4)));
      expect(await state(change?.id ?? '')).toBe('conflict');
      const [conflict] = await store.localChanges.listConflicts({ crmSource: crm });
      expect(conflict?.recordId).toBe(a);
      expect(
        conflict?.fields.map((x) => [x.field, text(x.base), text(x.local), text(x.remote)]),
      ).toEqual([[f, text(base), text(fx.value(f, 3)), text(fx.value(f, 4))]]);
      expect(conflict?.remoteModifiedAt).toBeInstanceOf(Date);
      // A second push leaves the held change alone; keeping local then writes it.
      expect(await push()).toMatchObject({ processed: 0, written: 0 });
      await resolveConflict(store, conflict?.id ?? '', { keep: 'local' });
      expect(await push()).toMatchObject({ written: 1, conflicts: 0 });
      expect(text(await fx.remoteValue(a, f))).toBe(text(fx.value(f, 3)));
    });

    it('keeping the remote side drops the local value and the store takes the CRM value', async () => {
      const [a = ''] = ids;
      const [f] = fx.fields;
      const [change] = await edit(a, { [f]: fx.value(f, 3) });
      await fx.remoteEdit(a, f, fx.value(f, 4));
      await push();
      const [conflict] = await store.localChanges.listConflicts({ crmSource: crm });
      const resolved = await resolveConflict(store, conflict?.id ?? '', { keep: 'remote' });
      expect(resolved.change.state).toBe('synced');
      expect(resolved.conflict.resolution).toBe('remote');
      expect(text(await stored(a, f))).toBe(text(fx.value(f, 4)));
      expect(await push()).toMatchObject({ processed: 0 });
      expect(text(await fx.remoteValue(a, f))).toBe(text(fx.value(f, 4)));
      expect(await state(change?.id ?? '')).toBe('synced');
    });

    it('the same value on both sides is no conflict and is not written again', async () => {
      const [a = ''] = ids;
      const [f] = fx.fields;
      const [change] = await edit(a, { [f]: fx.value(f, 5) });
      await fx.remoteEdit(a, f, fx.value(f, 5));
      const writes = fx.writesTo(a);
      expect(await push()).toMatchObject({
        status: 'success',
        written: 0,
        unchanged: 1,
        conflicts: 0,
      });
      expect(fx.writesTo(a)).toBe(writes);
      expect(await state(change?.id ?? '')).toBe('synced');
    });

    it('a value the CRM refuses is rejected with its reason while the rest of the batch lands', async () => {
      const [a = '', b = '', c = ''] = ids;
      const [f] = fx.fields;
      const refused = await fx.refusedChange(a);
      const [bad] = await edit(a, { [refused.field]: refused.value });
      await edit(b, { [f]: fx.value(f, 6) });
      await edit(c, { [f]: fx.value(f, 7) });
      const result = await push();
      expect(result).toMatchObject({ status: 'partial', written: 2, rejected: 1 });
      const rejected = await store.localChanges.getChange(bad?.id ?? '');
      expect(rejected?.state).toBe('rejected');
      expect(rejected?.reason).toContain(refused.field);
      expect(rejected?.reason?.length ?? 0).toBeGreaterThan(refused.field.length + 2);
      expect(text(await fx.remoteValue(b, f))).toBe(text(fx.value(f, 6)));
      expect(text(await fx.remoteValue(c, f))).toBe(text(fx.value(f, 7)));
      expect(text(await fx.remoteValue(a, refused.field))).not.toBe(text(refused.value));
      const events = await store.listEvents(result.runId);
      expect(events.some((e) => e.recordId === a && e.message.includes('rejected'))).toBe(true);
    });

    it('a crash between the CRM answer and our bookkeeping neither loses nor repeats the write', async () => {
      const [a = ''] = ids;
      const [f] = fx.fields;
      const [change] = await edit(a, { [f]: fx.value(f, 8) });
      const writes = fx.writesTo(a);
      await expect(
        push({
          afterWrite: () => {
            throw new Error('the process died here');
          },
        }),
      ).rejects.toThrow('the process died here');
      expect(fx.writesTo(a)).toBe(writes + 1);
      expect(await state(change?.id ?? '')).toBe('pushing');
      expect(await push()).toMatchObject({ status: 'success', written: 0, unchanged: 1 });
      expect(fx.writesTo(a)).toBe(writes + 1);
      expect(await state(change?.id ?? '')).toBe('synced');
      expect(text(await fx.remoteValue(a, f))).toBe(text(fx.value(f, 8)));
      expect(text(await stored(a, f))).toBe(text(fx.value(f, 8)));
    });

    it('a delta sync meeting a record with a pending change keeps the change pending', async () => {
      const [a = ''] = ids;
      const [f, g] = fx.fields;
      const base = await stored(a, f);
      const [change] = await edit(a, { [f]: fx.value(f, 9) });
      await fx.remoteEdit(a, g, fx.value(g, 10));
      const run = await engine.runEntity({
        plugin,
        entity: entityName,
        config: fx.config,
        trigger: 'cli',
      });
      expect(run.status, run.errorMessage ?? '').toBe('success');
      expect(text(await stored(a, g))).toBe(text(fx.value(g, 10)));
      const after = await store.localChanges.getChange(change?.id ?? '');
      expect(after?.state).toBe('pending');
      expect(text(after?.base[f])).toBe(text(base));
      expect(await push()).toMatchObject({ written: 1, conflicts: 0 });
      expect(text(await fx.remoteValue(a, f))).toBe(text(fx.value(f, 9)));
      expect(text(await fx.remoteValue(a, g))).toBe(text(fx.value(g, 10)));
    });
  });
}
