import type { FieldSchema, RecordWrite } from '@crmsync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  postgresBackend,
  type StoreBackend,
  sqliteBackend,
} from '../../test/store/store-backends.js';
import type { PrismaStore } from '../store/prisma-store.js';
import { Prisma, type PrismaClient } from '../store/prisma-client.js';
import { recordIndexPrefix } from '../store/record-table.js';
import {
  type RecordFilter,
  type RecordPageRequest,
  RecordQuery,
  type RecordSort,
  ScanTimeoutError,
} from './records-query.js';

const PLAIN: FieldSchema = {
  lead_id: { type: 'integer', required: true },
  status: { type: 'string' },
  amount: { type: 'integer' },
  updated_at: { type: 'datetime' },
  notes: { type: 'text' },
};
/** The same fields with three of them indexed. */
const INDEXED: FieldSchema = {
  ...PLAIN,
  status: { type: 'string', indexed: true },
  amount: { type: 'integer', indexed: true },
  updated_at: { type: 'datetime', indexed: true },
};
const ROWS = 2_400;
const STATUSES = ['new', 'open', 'won', 'lost', ''];

function leads(): RecordWrite[] {
  return Array.from({ length: ROWS }, (_, i) => {
    const id = String(i + 1);
    const data: Record<string, unknown> = {
      lead_id: i + 1,
      status: i % 11 === 0 ? null : STATUSES[i % STATUSES.length],
      // Numbers whose text order is not their numeric order (9 > 10 as text); some missing.
      amount: i % 13 === 0 ? null : (i * 7919) % 1_000,
      updated_at: new Date(Date.UTC(2026, 0, 1) + ((i * 37) % 500) * 3_600_000).toISOString(),
      notes: `note ${i}`,
    };
    return { externalId: id, data, hash: `h${i}` };
  });
}

/** The SQL each query sends, to EXPLAIN it as it ran. */
function capturing(prisma: PrismaClient): { client: PrismaClient; sent: Prisma.Sql[] } {
  const sent: Prisma.Sql[] = [];
  const client = new Proxy(prisma, {
    get(target, property) {
      if (property === '$queryRaw')
        return (sql: Prisma.Sql) => {
          sent.push(sql);
          return target.$queryRaw(sql);
        };
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { client, sent };
}

const backends: StoreBackend[] = [sqliteBackend(), await postgresBackend()];

describe.each(backends)('indexed fields on $name', (backend) => {
  let store: PrismaStore;
  const provider = backend.name;

  beforeAll(async () => {
    if (backend.skipReason) return;
    await backend.setup();
    store = await backend.open();
    await store.upsertRecords('genius', 'leads', leads(), { runId: 'seed', policy: 'overwrite' });
    // Another entity's rows, which the partial indexes must leave out.
    await store.upsertRecords('genius', 'appointments', leads().slice(0, 100), {
      runId: 'seed',
      policy: 'overwrite',
    });
  }, 60_000);
  afterAll(() => backend.teardown());

  async function indexNames(): Promise<string[]> {
    const prefix = recordIndexPrefix('genius', 'leads');
    const rows =
      provider === 'postgresql'
        ? await store.prisma.$queryRaw<Array<{ name: string }>>`
            SELECT indexname::text AS name FROM pg_indexes
            WHERE schemaname = current_schema() AND tablename = 'crm_record'`
        : await store.prisma.$queryRaw<Array<{ name: string }>>`
            SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'crm_record'`;
    return rows.map((row) => row.name).filter((name) => name.startsWith(prefix));
  }

  /** The plan of a query as the records query sent it. */
  async function plan(sql: Prisma.Sql): Promise<string> {
    if (provider === 'postgresql') {
      // Tiny tables are cheaper to scan and sort: forbid that, so the plan shows whether the
      // index matches the query's expressions at all.
      return store.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
        await tx.$executeRawUnsafe('SET LOCAL enable_sort = off');
        const rows = await tx.$queryRaw<Array<{ 'QUERY PLAN': string }>>(
          Prisma.sql`EXPLAIN ${sql}`,
        );
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      });
    }
    const rows = await store.prisma.$queryRaw<Array<{ detail: string }>>(
      Prisma.sql`EXPLAIN QUERY PLAN ${sql}`,
    );
    return rows.map((row) => row.detail).join('\n');
  }

  function request(
    fields: FieldSchema,
    sort: RecordSort | null,
    filters: RecordFilter[] = [],
    after: string | null = null,
  ): RecordPageRequest {
    return {
      crm: 'genius',
      entity: 'leads',
      fields,
      sort,
      filters,
      first: 25,
      after,
      primaryKey: 'lead_id',
    };
  }

  it.skipIf(backend.skipReason)(
    'creates the declared indexes once, and drops and adds them as the declaration changes',
    async () => {
      const indexes = store.recordIndexes;
      expect(await indexes.ensureIndexes('genius', 'leads', INDEXED)).toEqual({
        created: ['status', 'amount', 'updated_at'],
        dropped: [],
      });
      const first = await indexNames();
      expect(first).toHaveLength(3);
      expect(await indexes.ensureIndexes('genius', 'leads', INDEXED)).toEqual({
        created: [],
        dropped: [],
      });
      // amount no longer indexed, notes now: one dropped, one created, two kept as they were.
      const changed: FieldSchema = {
        ...INDEXED,
        amount: { type: 'integer' },
        notes: { type: 'text', indexed: true },
      };
      const change = await indexes.ensureIndexes('genius', 'leads', changed);
      expect(change.created).toEqual(['notes']);
      expect(change.dropped).toHaveLength(1);
      const second = await indexNames();
      expect(second).toHaveLength(3);
      expect(second.filter((name) => first.includes(name))).toHaveLength(2);
      // A changed type is a different expression: its index is rebuilt.
      const retyped = await indexes.ensureIndexes('genius', 'leads', {
        ...changed,
        notes: { type: 'integer', indexed: true },
      });
      expect(retyped).toMatchObject({ created: ['notes'] });
      expect(retyped.dropped).toHaveLength(1);
      // Back to the declaration the other tests use.
      await indexes.ensureIndexes('genius', 'leads', INDEXED);
      expect(await indexNames()).toHaveLength(3);
    },
  );

  it.skipIf(backend.skipReason)(
    'pages, filters and sorts through the index (EXPLAIN), with the same rows as without it',
    async () => {
      // With its integer primary key: the default order's (length, text) index as well.
      expect(
        await store.recordIndexes.ensureIndexes('genius', 'leads', INDEXED, 'lead_id'),
      ).toEqual({ created: ['externalId'], dropped: [] });
      const { client, sent } = capturing(store.prisma);
      const query = new RecordQuery(client, provider);
      const plain = new RecordQuery(store.prisma, provider);
      const cases: Array<{ sort: RecordSort | null; filters: RecordFilter[] }> = [
        { sort: null, filters: [] },
        { sort: { field: 'lead_id', direction: 'DESC' }, filters: [] },
        { sort: { field: 'amount', direction: 'ASC' }, filters: [] },
        { sort: { field: 'updated_at', direction: 'DESC' }, filters: [] },
        {
          sort: { field: 'updated_at', direction: 'ASC' },
          filters: [{ field: 'status', op: 'EQUALS', value: 'open' }],
        },
        {
          sort: { field: 'status', direction: 'DESC' },
          filters: [{ field: 'amount', op: 'GTE', value: '500' }],
        },
        {
          sort: { field: 'amount', direction: 'DESC' },
          filters: [{ field: 'amount', op: 'LT', value: '100' }],
        },
        {
          sort: { field: 'amount', direction: 'ASC' },
          filters: [{ field: 'status', op: 'IS_EMPTY' }],
        },
      ];
      for (const { sort, filters } of cases) {
        const label = JSON.stringify({ sort, filters });
        // Two pages forward by keyset, each EXPLAINed as sent.
        const one = await query.page(request(INDEXED, sort, filters));
        const two = await query.page(request(INDEXED, sort, filters, one.cursors.at(-1)));
        for (const [i, sql] of sent.splice(0).entries()) {
          const text = await plan(sql);
          expect(text, label).toMatch(/crm_record_ix_/);
          // The next page is a range of the index (SEARCH), not the index read from its start.
          if (provider === 'sqlite' && i === 1)
            expect(text, label).toMatch(/^SEARCH [^\n]*crm_record_ix_/);
          if (provider === 'sqlite') expect(text, label).not.toMatch(/TEMP B-TREE/);
        }
        // The same pages from the plain schema (no index, every row read and compared exactly).
        const plainOne = await plain.page(request(PLAIN, sort, filters));
        const plainTwo = await plain.page(request(PLAIN, sort, filters, plainOne.cursors.at(-1)));
        const ids = (page: { records: Array<{ externalId: string }> }) =>
          page.records.map((record) => record.externalId);
        expect(ids(one), label).toEqual(ids(plainOne));
        expect(ids(two), label).toEqual(ids(plainTwo));
        expect(ids(one).length, label).toBeGreaterThan(0);
        expect(await query.count(request(INDEXED, sort, filters)), label).toBe(
          await plain.count(request(PLAIN, sort, filters)),
        );
        sent.length = 0;
      }
      // Numbers sort as numbers: the first page by amount ascending is the smallest amounts.
      const byAmount = await query.page(request(INDEXED, { field: 'amount', direction: 'ASC' }));
      const amounts = byAmount.records
        .map((record) => (record.data as { amount: number | null }).amount)
        .filter((amount) => amount !== null);
      expect(amounts).toEqual([...amounts].sort((a, b) => a - b));
    },
  );

  it.skipIf(backend.skipReason)(
    'stops a filter on a field without an index after its budget, naming the field and the fix',
    async () => {
      const query = new RecordQuery(store.prisma, provider, {
        scanBudgetMs: 1,
        scanSliceRows: 200,
      });
      const filters: RecordFilter[] = [{ field: 'notes', op: 'CONTAINS', value: 'note 23' }];
      const error = await query
        .page(request(INDEXED, { field: 'updated_at', direction: 'ASC' }, filters))
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(ScanTimeoutError);
      expect((error as Error).message).toBe(
        `filter on notes scans ${ROWS.toLocaleString('en-US')} records and took longer than 0.001s; ` +
          "index it by declaring `indexed: true` on notes in the entity's field schema",
      );
      // Within a budget it answers: the same rows as a plain query (sliced on SQLite).
      const roomy = new RecordQuery(store.prisma, provider, { scanSliceRows: 200 });
      const page = await roomy.page(
        request(INDEXED, { field: 'notes', direction: 'DESC' }, filters),
      );
      const expected = leads()
        .map((lead) => (lead.data as { notes: string }).notes)
        .filter((notes) => notes.includes('note 23'))
        .sort()
        .reverse();
      expect(page.records.map((record) => (record.data as { notes: string }).notes)).toEqual(
        expected.slice(0, 25),
      );
      expect(await roomy.count(request(INDEXED, null, filters))).toBe(expected.length);
    },
  );
});
