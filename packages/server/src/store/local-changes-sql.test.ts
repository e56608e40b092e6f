import type { NewLocalChange } from '@crmsync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend } from '../../test/store/store-backends.js';
import { dialectOf } from './local-changes-sql.js';

// The bulk SQL of local changes (local-changes-sql.ts) at a mass update's shape, past every
// chunk size, on both databases: what the raw statements write is what Prisma's model reads
// (JSON and DateTime encodings agree), re-edits in one call join one change, and state moves
// count every row.
for (const backend of [sqliteBackend(), await postgresBackend()]) {
  describe.skipIf(backend.skipReason !== null)(`local changes bulk SQL on ${backend.name}`, () => {
    beforeAll(() => backend.setup());
    afterAll(() => backend.teardown());

    it('records 2,600 changes in chunks, joins re-edits, moves and reads them as Prisma does', async () => {
      const store = await backend.open();
      try {
        const lc = store.localChanges;
        const base = new Date('2026-11-30T08:15:30.123Z');
        const edits: NewLocalChange[] = Array.from({ length: 2_600 }, (_, i) => ({
          crmSource: 'zoho',
          entity: 'deals',
          recordId: `r${i}`,
          fields: { Stage: 'Won', Amount: i + 0.5, Note: `naïve "quoted" ${i}`, Gone: null },
          base: { Stage: 'Open', Amount: i, Note: null, Gone: 'x' },
          baseRemoteModifiedAt: i % 2 ? base : null,
          author: 'test',
        }));
        const first = await lc.recordChanges(edits);
        expect(first).toHaveLength(2_600);
        expect(new Set(first.map((c) => c.id)).size).toBe(2_600);
        // Re-edits of 10 records plus one record twice in the same call: one change each.
        const again = await lc.recordChanges([
          ...edits
            .slice(0, 10)
            .map((e) => ({ ...e, fields: { Stage: 'Lost' }, base: { Stage: 'Won?' } })),
          {
            ...(edits[5] as NewLocalChange),
            fields: { Owner: 'me' },
            base: { Owner: 'you' },
          },
        ]);
        expect(again.map((c) => c.id)).toEqual([
          ...first.slice(0, 10).map((c) => c.id),
          first[5]?.id,
        ]);
        expect(again[5]).toEqual(again[10]);
        expect(again[5]?.fields).toEqual({ ...edits[5]?.fields, Stage: 'Lost', Owner: 'me' });
        // The first base of a field changed again is kept.
        expect(again[5]?.base).toEqual({ ...edits[5]?.base, Owner: 'you' });
        expect(
          await lc.countChanges({ crmSource: 'zoho', entity: 'deals', states: ['pending'] }),
        ).toBe(2_600);

        // What the raw SQL wrote, read through Prisma's model (getChange), is what it returned.
        for (const i of [0, 5, 1_001, 2_599]) {
          const listed = i < 10 ? again[i] : first[i];
          expect(await lc.getChange(listed?.id ?? '')).toEqual(listed);
        }
        expect(first[1]?.baseRemoteModifiedAt?.toISOString()).toBe(base.toISOString());

        const ids = first.map((c) => c.id);
        const listed = await lc.listChanges({ ids, states: ['pending'] });
        expect(listed.map((c) => c.id)).toEqual([...ids].sort());
        expect(
          await lc.updateChanges(ids.slice(0, 1_234), { state: 'pushing', runId: 'run-1' }),
        ).toBe(1_234);
        expect(await lc.updateChanges(ids.slice(1_234), { state: 'rejected', reason: 'no' })).toBe(
          1_366,
        );
        const pushing = await lc.listChanges({
          crmSource: 'zoho',
          entity: 'deals',
          states: ['pushing'],
        });
        expect(pushing).toHaveLength(1_234);
        expect(pushing.every((c) => c.runId === 'run-1' && c.reason === null)).toBe(true);
        const page = await lc.listChanges({
          crmSource: 'zoho',
          states: ['rejected'],
          limit: 7,
          after: ids[1_300],
        });
        expect(page.map((c) => c.id)).toEqual(
          [...ids]
            .sort()
            .filter((id) => id > (ids[1_300] ?? ''))
            .slice(0, 7),
        );
        expect((await lc.getChange(ids[2_000] ?? ''))?.reason).toBe('no');
        const rebased = await lc.updateChanges([ids[3] ?? ''], {
          state: 'pending',
          fields: { Stage: 'Kept' },
          base: { Stage: 'Remote' },
        });
        expect(rebased).toBe(1);
        const kept = await lc.getChange(ids[3] ?? '');
        expect([kept?.state, kept?.fields, kept?.base]).toEqual([
          'pending',
          { Stage: 'Kept' },
          { Stage: 'Remote' },
        ]);
      } finally {
        await store.close();
      }
    });
  });
}

describe('the bulk SQL’s dialect', () => {
  it('is the generated client’s provider, or asked of the database when a wrapper hides it', async () => {
    for (const backend of [sqliteBackend(), await postgresBackend()]) {
      if (backend.skipReason !== null) continue;
      await backend.setup();
      const store = await backend.open();
      try {
        expect(await dialectOf(store.prisma)).toBe(backend.name);
        const wrapper = { $queryRawUnsafe: store.prisma.$queryRawUnsafe.bind(store.prisma) };
        expect(await dialectOf(wrapper as unknown as typeof store.prisma)).toBe(backend.name);
      } finally {
        await store.close();
        await backend.teardown();
      }
    }
  });
});
