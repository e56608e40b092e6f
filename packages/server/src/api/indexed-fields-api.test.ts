import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../test/api/test-support.js';
import { ScanTimeoutError } from '../records/records-query.js';
import { createErrorMasking } from './errors.js';

describe('the API says which fields are indexed', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ provider: 'sqlite' });
  }, 60_000);
  afterAll(() => t?.close());

  it('flags the fields the entity declares indexed, and only those', async () => {
    const { body } = await t.gql(
      '{ entity(crm: "callrail", name: "calls") { fields { name indexed } } }',
    );
    expect(body.errors).toBeUndefined();
    const entity = body.data?.entity as { fields: Array<{ name: string; indexed: boolean }> };
    const { fields } = entity;
    expect(fields.filter((f) => f.indexed).map((f) => f.name)).toEqual(['start_time']);
    expect(fields.length).toBeGreaterThan(5);
  });

  it('reports a scan past its budget with its own code and the field', () => {
    const mask = createErrorMasking((text) => text);
    const error = mask(new ScanTimeoutError('filter on city', 'city', 6_000_000, 5_000), 'masked');
    expect(error.message).toBe(
      "filter on city scans 6,000,000 records and took longer than 5s; index it by declaring `indexed: true` on city in the entity's field schema",
    );
    expect((error as { extensions?: unknown }).extensions).toEqual({
      code: 'SCAN_TIMEOUT',
      field: 'city',
    });
  });
});
