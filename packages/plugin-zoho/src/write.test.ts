import { CrmsyncError } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeZoho, fakeZohoConfig, picklist, startFakeZoho } from './fake-server/index.js';
import { createZohoWriter, type ZohoWriter } from './index.js';

let fake: FakeZoho | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(size = 5): Promise<{ fake: FakeZoho; writer: ZohoWriter; ids: string[] }> {
  fake = await startFakeZoho({ size });
  const config = fakeZohoConfig(fake);
  const writer = createZohoWriter({
    ...config,
    ZOHO_BASE_URL: config.ZOHO_BASE_URL as string,
    ZOHO_ACCOUNTS_URL: config.ZOHO_ACCOUNTS_URL as string,
    ZOHO_CONCURRENCY: 10,
    ZOHO_DAILY_CREDITS: 50_000,
  });
  const ids = fake.org
    .module('Deals')
    .records.all()
    .map((r) => r.id);
  return { fake, writer, ids };
}

const puts = (f: FakeZoho) =>
  f.api.requests.filter((r) => r.method === 'PUT' && r.path === '/crm/v8/Deals');

describe('zoho write client', () => {
  it('returns a result per record: written ones succeed, Zoho’s INVALID_DATA names the field, the rest still land', async () => {
    const { fake, writer, ids } = await setup();
    const [a, b, c] = ids as [string, string, string];
    // An admin retires the picklist value after the writer read the metadata: Zoho refuses it.
    await writer.fields('Deals');
    const region = fake.org.module('Deals').fields.find((f) => f.api_name === 'Install_Region');
    if (region) region.pick_list_values = picklist(['North', 'South', 'East']);
    const results = await writer.update('Deals', [
      { id: a, Stage: 'Closed Won', Amount: 1234.5 },
      { id: b, Install_Region: 'West' },
      { id: '5725767000009999999', Stage: 'Closed Lost' },
      { id: c, Deal_Name: 'Renamed deal' },
    ]);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      [a, 'success'],
      [b, 'rejected'],
      ['5725767000009999999', 'rejected'],
      [c, 'success'],
    ]);
    expect(results[1]).toMatchObject({ code: 'INVALID_DATA', apiName: 'Install_Region' });
    expect(results[2]).toMatchObject({ code: 'INVALID_DATA', apiName: 'id' });
    expect(results[0]).toMatchObject({ modifiedTime: expect.stringMatching(/\+05:30$/) });
    const deals = fake.org.module('Deals').records;
    expect(deals.get(a)).toMatchObject({ Stage: 'Closed Won', Amount: 1234.5 });
    expect(deals.get(c)?.Deal_Name).toBe('Renamed deal');
    expect(deals.get(b)?.Install_Region).not.toBe('West');
    expect(puts(fake).map((r) => r.status)).toEqual([207]);
  });

  it('checks values against the metadata before sending: type, picklist, length, read-only, unknown field', async () => {
    const { fake, writer, ids } = await setup();
    const [a, b, c, d, e] = ids as [string, string, string, string, string];
    const results = await writer.update('Deals', [
      { id: a, Stage: 'Won-ish' },
      { id: b, Amount: 'lots' },
      { id: c, Deal_Name: 'x'.repeat(121) },
      { id: d, Modified_Time: '2026-01-01T00:00:00+00:00' },
      { id: e, Colour: 'blue' },
    ]);
    expect(results.map((r) => (r.status === 'rejected' ? r.message : r.status))).toEqual([
      expect.stringMatching(/field 'Stage' expects one of "Qualification", .*"Closed Lost"/),
      "zoho Deals: field 'Amount' expects a number",
      "zoho Deals: field 'Deal_Name' expects at most 120 characters, got 121",
      "zoho Deals: field 'Modified_Time' is read-only",
      "zoho Deals: field 'Colour' is not a field of Deals",
    ]);
    expect(results.every((r) => r.status === 'rejected' && r.code === 'LOCAL_VALIDATION')).toBe(
      true,
    );
    expect(puts(fake)).toHaveLength(0);
    const error = await writer
      .assertValid('Deals', { Install_Region: 'Mars' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmsyncError);
    expect(error).toMatchObject({ kind: 'data', context: { field: 'Install_Region' } });
    expect((error as Error).message).toBe(
      `zoho Deals: field 'Install_Region' expects one of "North", "South", "East", "West"`,
    );
  });

  it('sends at most 100 records a PUT', async () => {
    const { fake, writer, ids } = await setup(250);
    const results = await writer.update(
      'Deals',
      ids.map((id) => ({ id, Probability: 90 })),
    );
    expect(results.filter((r) => r.status === 'success')).toHaveLength(250);
    expect(puts(fake).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(
      fake.org
        .module('Deals')
        .records.all()
        .every((r) => r.Probability === 90),
    ).toBe(true);
  });

  it('reads records by ids (≤ 100 a call) and one by id; ids Zoho lacks are absent', async () => {
    const { fake, writer, ids } = await setup(120);
    const missing = '5725767000009999999';
    const got = await writer.fetchByIds('Deals', [...ids, missing]);
    expect(got.map((r) => r.id)).toEqual(ids);
    expect(got[0]).toHaveProperty('Install_Region');
    const calls = fake.api.requests.filter((r) => r.path === '/crm/v8/Deals' && r.query.has('ids'));
    expect(calls.map((r) => r.query.get('ids')?.split(',').length)).toEqual([100, 21]);
    expect(await writer.fetchOne('Deals', missing)).toBeUndefined();
    expect((await writer.fetchOne('Deals', ids[3] ?? ''))?.id).toBe(ids[3]);
  });

  it('runs a mass update as a job and reports its progress until done', async () => {
    const { fake, writer, ids } = await setup(30);
    fake.setMassUpdateRate(10);
    // The job's progress follows the fake's clock: stop it, so only `advance` moves it.
    fake.api.clock.set(fake.api.clock.now());
    const job = await writer.massUpdate('Deals', ids, { Stage: 'Closed Lost' });
    expect(await writer.massUpdateStatus('Deals', job)).toMatchObject({
      status: 'SCHEDULED',
      total: 30,
      updated: 0,
    });
    fake.api.clock.advance(1_500);
    expect(await writer.massUpdateStatus('Deals', job)).toMatchObject({
      status: 'RUNNING',
      updated: 15,
      notUpdated: 15,
    });
    fake.api.clock.advance(60_000);
    expect(await writer.massUpdateStatus('Deals', job)).toMatchObject({
      status: 'COMPLETED',
      updated: 30,
      failed: 0,
    });
    expect(
      fake.org
        .module('Deals')
        .records.all()
        .every((r) => r.Stage === 'Closed Lost'),
    ).toBe(true);
    await expect(writer.massUpdate('Deals', ids, { Stage: 'Nope' })).rejects.toThrow(
      /field 'Stage' expects one of/,
    );
  });
});
