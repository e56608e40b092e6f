import type { RecordWrite } from '@crmsync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRuns } from '../../test/api/test-seed.js';
import { startTestApi, type TestApi, testProviders } from '../../test/api/test-support.js';

// A record's two-way sync status (`CrmRecord.sync`) and the `records(syncStatus:)` filter agree,
// on every database: an open conflict wins, otherwise the newest local change decides.

const providers = await testProviders();

const RECORDS = `query($status: RecordSyncStatus) {
  records(crm: "callrail", entity: "calls", syncStatus: $status, first: 50) {
    totalCount
    edges { node { externalId sync { status reason } } } } }`;

describe.each(providers)('record sync status on %s', (provider) => {
  let t: TestApi;

  beforeAll(async () => {
    t = await startTestApi({ provider });
    const [runId] = (await seedRuns(t.store.prisma, [
      { crm: 'callrail', entity: 'calls', status: 'success', startedMinutesAgo: 5 },
    ])) as [string];
    const records: RecordWrite[] = ['A', 'B', 'C', 'D', 'E', 'F'].map((id) => ({
      externalId: id,
      data: { id, duration: 1 },
      hash: `h${id}`,
    }));
    await t.store.upsertRecords('callrail', 'calls', records, { runId, policy: 'overwrite' });
    // Changes per record, oldest first: A none; B pending; C pushing; D synced then conflict;
    // E synced then rejected; F rejected then synced.
    const history: Array<[string, string, string | null]> = [
      ['B', 'pending', null],
      ['C', 'pushing', null],
      ['D', 'synced', null],
      ['D', 'conflict', null],
      ['E', 'synced', null],
      ['E', 'rejected', 'INVALID_DATA: duration'],
      ['F', 'rejected', 'INVALID_DATA: duration'],
      ['F', 'synced', null],
    ];
    let n = 0;
    for (const [externalId, state, reason] of history) {
      const at = new Date(Date.UTC(2026, 11, 5, 12, 0, n));
      await t.store.prisma.localChange.create({
        data: {
          id: `chg-${String(n++).padStart(3, '0')}`,
          crmSource: 'callrail',
          entity: 'calls',
          externalId,
          fields: { duration: 2 },
          base: { duration: 1 },
          author: 'test',
          state,
          reason,
          createdAt: at,
          updatedAt: at,
        },
      });
    }
  }, 60_000);
  afterAll(() => t?.close());

  async function records(status: string | null) {
    const { body } = await t.gql(RECORDS, { status });
    expect(body.errors).toBeUndefined();
    const data = body.data!.records as {
      totalCount: number;
      edges: Array<{
        node: { externalId: string; sync: { status: string; reason: string | null } };
      }>;
    };
    return data;
  }

  it('gives each record its status, and the filter finds exactly those records', async () => {
    const all = await records(null);
    const status = Object.fromEntries(all.edges.map((e) => [e.node.externalId, e.node.sync]));
    expect(status).toEqual({
      A: { status: 'synced', reason: null },
      B: { status: 'pending', reason: null },
      C: { status: 'pending', reason: null },
      D: { status: 'conflict', reason: null },
      E: { status: 'rejected', reason: 'INVALID_DATA: duration' },
      F: { status: 'synced', reason: null },
    });
    for (const s of ['synced', 'pending', 'conflict', 'rejected']) {
      const page = await records(s);
      const expected = Object.keys(status).filter((id) => status[id]?.status === s);
      expect(
        page.edges.map((e) => e.node.externalId),
        s,
      ).toEqual(expected);
      expect(page.totalCount, s).toBe(expected.length);
    }
  });

  it('refuses an unknown status naming the field', async () => {
    const { body } = await t.gql(RECORDS, { status: 'lost' });
    expect(JSON.stringify(body.errors)).toContain('RecordSyncStatus');
  });
});
