import type { RecordWrite } from '@crmsync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRuns } from './test-seed.js';
import { startTestApi, type TestApi, testProviders } from './test-support.js';

const providers = await testProviders();

const RECORDS = `query($crm: String!, $entity: String!, $search: String, $filters: [RecordFilter!], $sort: RecordSort, $first: Int, $after: String, $deleted: Boolean) {
  records(crm: $crm, entity: $entity, search: $search, filters: $filters, sort: $sort, first: $first, after: $after, includeDeleted: $deleted) {
    totalCount columns { name type } pageInfo { hasNextPage endCursor }
    edges { node { externalId deletedAt fields { name type value } data } } } }`;

interface RecordsPage {
  totalCount: number;
  columns: Array<{ name: string; type: string }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{
    node: {
      externalId: string;
      deletedAt: string | null;
      fields: Array<{ name: string; type: string; value: unknown }>;
      data: Record<string, unknown>;
    };
  }>;
}

describe.each(providers)('records of an entity on %s', (provider) => {
  let t: TestApi;

  beforeAll(async () => {
    t = await startTestApi({ provider });
    const [runId] = await seedRuns(t.store.prisma, [
      { crm: 'callrail', entity: 'calls', status: 'success', startedMinutesAgo: 5 },
    ]);
    const records: RecordWrite[] = Array.from({ length: 25 }, (_, i) => {
      const id = `CAL${String(i).padStart(3, '0')}`;
      const data = {
        id,
        customer_name: i % 5 === 0 ? `Ada Lovelace ${i}` : `Grace Hopper ${i}`,
        duration: (i * 7) % 25,
        answered: i % 2 === 0,
        ...(i === 3 && { duration: 'not a number' }),
      };
      return { externalId: id, data, hash: `h${i}` };
    });
    await t.store.upsertRecords('callrail', 'calls', records, {
      runId: runId!,
      policy: 'overwrite',
    });
    await t.store.softDeleteRecords('callrail', 'calls', ['CAL024'], runId!);
  });
  afterAll(() => t?.close());

  async function page(variables: Record<string, unknown>): Promise<RecordsPage> {
    const { body } = await t.gql(RECORDS, { crm: 'callrail', entity: 'calls', ...variables });
    expect(body.errors).toBeUndefined();
    return body.data!.records as RecordsPage;
  }

  it('pages every live record by key, with fields typed by the entity’s schema', async () => {
    const ids: string[] = [];
    let after: string | null = null;
    let first: RecordsPage | undefined;
    do {
      const p = await page({ first: 10, after });
      first ??= p;
      ids.push(...p.edges.map((e) => e.node.externalId));
      after = p.pageInfo.hasNextPage ? p.pageInfo.endCursor : null;
    } while (after);
    expect(ids).toEqual(Array.from({ length: 24 }, (_, i) => `CAL${String(i).padStart(3, '0')}`));
    expect(first!.totalCount).toBe(24);
    expect(first!.columns.slice(0, 2)).toEqual([
      { name: 'id', type: 'string' },
      { name: 'start_time', type: 'datetime' },
    ]);
    const fields = first!.edges[1]!.node.fields;
    expect(fields.find((f) => f.name === 'duration')).toEqual({
      name: 'duration',
      type: 'integer',
      value: 7,
    });
    expect(fields.find((f) => f.name === 'customer_name')).toEqual({
      name: 'customer_name',
      type: 'string',
      value: 'Grace Hopper 1',
    });
    expect(fields.find((f) => f.name === 'start_time')).toEqual({
      name: 'start_time',
      type: 'datetime',
      value: null,
    });
  });

  it('includes soft-deleted records on request', async () => {
    const p = await page({ deleted: true, first: 100 });
    expect(p.totalCount).toBe(25);
    expect(p.edges.at(-1)!.node).toMatchObject({ externalId: 'CAL024' });
    expect(p.edges.at(-1)!.node.deletedAt).not.toBeNull();
  });

  it('searches any field, case-insensitively', async () => {
    const p = await page({ search: 'ada love' });
    expect(p.edges.map((e) => e.node.externalId)).toEqual([
      'CAL000',
      'CAL005',
      'CAL010',
      'CAL015',
      'CAL020',
    ]);
  });

  it('filters on fields, comparing numbers as numbers', async () => {
    const p = await page({
      filters: [
        { field: 'duration', op: 'GTE', value: '20' },
        { field: 'customer_name', op: 'CONTAINS', value: 'hopper' },
      ],
    });
    const expected = Array.from({ length: 24 }, (_, i) => i)
      .filter((i) => i !== 3 && (i * 7) % 25 >= 20 && i % 5 !== 0)
      .map((i) => `CAL${String(i).padStart(3, '0')}`);
    expect(p.edges.map((e) => e.node.externalId)).toEqual(expected);
    const empty = await page({ filters: [{ field: 'start_time', op: 'IS_EMPTY' }] });
    expect(empty.totalCount).toBe(24);
  });

  it('sorts by a numeric field across pages without losing or repeating a record', async () => {
    const seen: Array<{ id: string; duration: unknown }> = [];
    let after: string | null = null;
    do {
      const p = await page({ sort: { field: 'duration', direction: 'DESC' }, first: 7, after });
      seen.push(...p.edges.map((e) => ({ id: e.node.externalId, duration: e.node.data.duration })));
      after = p.pageInfo.hasNextPage ? p.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toHaveLength(24);
    expect(new Set(seen.map((s) => s.id)).size).toBe(24);
    const numbers = seen
      .filter((s) => typeof s.duration === 'number')
      .map((s) => s.duration as number);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    expect(seen.at(-1)!.duration).toBe('not a number');
  });

  it('names the field and what was expected for bad input', async () => {
    const unknownField = await t.gql(RECORDS, {
      crm: 'callrail',
      entity: 'calls',
      filters: [{ field: 'nope', op: 'EQUALS', value: 'x' }],
    });
    expect(unknownField.body.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'filters.field',
    });
    expect(unknownField.body.errors![0]!.extensions!.expected).toContain('customer_name');
    const notNumber = await t.gql(RECORDS, {
      crm: 'callrail',
      entity: 'calls',
      filters: [{ field: 'duration', op: 'GT', value: 'ten' }],
    });
    expect(notNumber.body.errors![0]!.extensions).toMatchObject({
      field: 'filters.value',
      expected: 'a number (duration is integer)',
    });
    const badSort = await t.gql(RECORDS, {
      crm: 'callrail',
      entity: 'calls',
      sort: { field: 'zzz', direction: 'ASC' },
    });
    expect(badSort.body.errors![0]!.extensions).toMatchObject({ field: 'sort.field' });
    const badCursor = await t.gql(RECORDS, { crm: 'callrail', entity: 'calls', after: 'garbage' });
    expect(badCursor.body.errors![0]!.extensions).toMatchObject({ field: 'after' });
    for (const forged of [
      [{ a: 1 }, 'CAL001'],
      [{ d: 'nope' }, 'CAL001'],
      [[1], 'CAL001'],
    ]) {
      const after = Buffer.from(JSON.stringify(forged)).toString('base64url');
      const { body } = await t.gql(RECORDS, { crm: 'callrail', entity: 'calls', after });
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
    const badEntity = await t.gql(RECORDS, { crm: 'callrail', entity: 'nope' });
    expect(badEntity.body.errors![0]!.extensions).toMatchObject({ field: 'entity' });
  });

  it('searches values only, never the keys of the record', async () => {
    for (const key of ['customer_name', 'answered', 'duration"', 'id', '"id":', 'a\\b'])
      expect((await page({ search: key })).totalCount).toBe(0);
    // Numbers and booleans are values too.
    expect((await page({ search: '24' })).edges.map((e) => e.node.externalId)).toEqual(['CAL007']);
    expect((await page({ search: 'TRUE' })).totalCount).toBe(12);
    const unstorable = await t.gql(RECORDS, {
      crm: 'callrail',
      entity: 'calls',
      search: 'a\u0000',
    });
    expect(unstorable.body.errors![0]!.extensions).toMatchObject({ field: 'search' });
    expect((await page({ search: 'hopper 1' })).edges.map((e) => e.node.externalId)).toEqual([
      'CAL001',
      'CAL011',
      'CAL012',
      'CAL013',
      'CAL014',
      'CAL016',
      'CAL017',
      'CAL018',
      'CAL019',
    ]);
  });

  it('refuses inherited member names as sort or filter fields, naming the allowed ones', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const sort = await t.gql(RECORDS, {
        crm: 'callrail',
        entity: 'calls',
        sort: { field: name, direction: 'ASC' },
      });
      expect(sort.body.errors![0]!.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'sort.field',
      });
      expect(sort.body.errors![0]!.extensions!.expected).toContain('customer_name');
      const filter = await t.gql(RECORDS, {
        crm: 'callrail',
        entity: 'calls',
        filters: [{ field: name, op: 'EQUALS', value: 'x' }],
      });
      expect(filter.body.errors![0]!.message).toContain(`"${name}"`);
      expect(filter.body.errors![0]!.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'filters.field',
      });
      expect(filter.body.errors![0]!.extensions!.expected).toContain('customer_name');
    }
  });

  it('refuses a page size outside 1..500 instead of bending it', async () => {
    for (const first of [0, -1, 501]) {
      const { body } = await t.gql(RECORDS, { crm: 'callrail', entity: 'calls', first });
      expect(body.data?.records ?? null).toBeNull();
      expect(body.errors![0]!.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'first',
        expected: 'an integer from 1 to 500',
      });
    }
    expect((await page({ first: 500 })).edges).toHaveLength(24);
  });

  it('describes one entity with its field schema', async () => {
    const { body } = await t.gql(
      '{ entity(crm: "callrail", name: "calls") { name primaryKey deltaKind dependsOn recordCount } }',
    );
    expect(body.data!.entity).toEqual({
      name: 'calls',
      primaryKey: 'id',
      deltaKind: expect.any(String),
      dependsOn: ['companies'],
      recordCount: 24,
    });
  });
});
