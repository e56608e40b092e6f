import type { RecordWrite } from '@crmsync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRuns } from '../../test/api/test-seed.js';
import { startTestApi, type TestApi, testProviders } from '../../test/api/test-support.js';
import { RecordQuery } from '../records/records-query.js';

const providers = await testProviders();

const RECORDS = `query($sort: RecordSort, $first: Int, $after: String, $last: Int, $before: String) {
  records(crm: "callrail", entity: "calls", sort: $sort, first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { externalId } } } }`;

interface Page {
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  edges: Array<{ node: { externalId: string } }>;
}

describe.each(providers)('records paged backward and sorted by type on %s', (provider) => {
  let t: TestApi;
  let runId: string;

  beforeAll(async () => {
    t = await startTestApi({ provider });
    [runId] = (await seedRuns(t.store.prisma, [
      { crm: 'callrail', entity: 'calls', status: 'success', startedMinutesAgo: 5 },
    ])) as [string];
    const records: RecordWrite[] = Array.from({ length: 23 }, (_, i) => {
      const id = `CAL${String(i).padStart(3, '0')}`;
      return { externalId: id, data: { id, duration: (i * 7) % 23 }, hash: `h${i}` };
    });
    await t.store.upsertRecords('callrail', 'calls', records, { runId, policy: 'overwrite' });
  }, 60_000);
  afterAll(() => t?.close());

  async function page(variables: Record<string, unknown>): Promise<Page> {
    const { body } = await t.gql(RECORDS, variables);
    expect(body.errors).toBeUndefined();
    return body.data!.records as Page;
  }
  const ids = (p: Page) => p.edges.map((e) => e.node.externalId);

  it('goes back with last/before to exactly the pages it came from, in both sort orders', async () => {
    for (const sort of [undefined, { field: 'duration', direction: 'DESC' }]) {
      const forward: Page[] = [];
      let after: string | null = null;
      do {
        const p = await page({ sort, first: 5, after });
        forward.push(p);
        after = p.pageInfo.hasNextPage ? p.pageInfo.endCursor : null;
      } while (after);
      expect(forward).toHaveLength(5);
      // Back from the last page, page by page, with Previous.
      for (let i = forward.length - 1; i > 0; i--) {
        const back = await page({ sort, last: 5, before: forward[i]!.pageInfo.startCursor });
        expect(ids(back), `page ${i - 1} (${JSON.stringify(sort)})`).toEqual(ids(forward[i - 1]!));
        expect(back.pageInfo.hasPreviousPage).toBe(i - 1 > 0);
        expect(back.pageInfo.hasNextPage).toBe(true);
      }
      // `last` alone is the last page (3 rows of 23 at 5 a page is the tail's last 5).
      const tail = await page({ sort, last: 5 });
      expect(ids(tail)).toEqual([...ids(forward[3]!), ...ids(forward[4]!)].slice(-5));
      expect(tail.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    }
  });

  it('refuses mixed directions and a bad cursor, naming the argument', async () => {
    const mixed = await t.gql(RECORDS, { first: 5, last: 5 });
    expect(mixed.body.errors?.[0]?.extensions).toMatchObject({ field: 'last' });
    const bad = await t.gql(RECORDS, { last: 5, before: 'nope' });
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ field: 'before' });
  });

  it('sorts integer ids as numbers (1, 2, 10, 100), not as text', async () => {
    const writes: RecordWrite[] = ['100', '2', '10', '1', '33', '9'].map((id) => ({
      externalId: id,
      data: { id: Number(id), name: `n${id}` },
      hash: `x${id}`,
    }));
    await t.store.upsertRecords('numbered', 'things', writes, { runId, policy: 'overwrite' });
    const query = new RecordQuery(t.store.prisma, provider);
    const request = {
      crm: 'numbered',
      entity: 'things',
      fields: { id: { type: 'integer' as const }, name: { type: 'string' as const } },
      primaryKey: 'id',
      first: 4,
    };
    const first = await query.page(request);
    expect(first.records.map((r) => r.externalId)).toEqual(['1', '2', '9', '10']);
    const next = await query.page({ ...request, after: first.cursors.at(-1)! });
    expect(next.records.map((r) => r.externalId)).toEqual(['33', '100']);
    const back = await query.page({ ...request, before: next.cursors[0]!, first: 2 });
    expect(back.records.map((r) => r.externalId)).toEqual(['9', '10']);
    const down = await query.page({ ...request, sort: { field: 'id', direction: 'DESC' } });
    expect(down.records.map((r) => r.externalId)).toEqual(['100', '33', '10', '9']);
  });
});
