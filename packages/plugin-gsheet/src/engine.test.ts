import { SyncEngine } from '@crmsync/core';
import { MemoryStore } from '@crmsync/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { marketingLeadRows, marketingSpendRows, SheetsFakeServer } from './fake-server/index.js';
import { createGsheetPlugin } from './index.js';
import type { TabConfig } from './tabs.js';

const TABS: TabConfig[] = [
  {
    entity: 'marketing_leads',
    spreadsheetId: 'leads',
    range: "'Marketing Source Leads'",
    keyColumn: 'lead_id',
  },
  {
    entity: 'marketing_spends',
    spreadsheetId: 'spends',
    range: "'All Marketing Spend'",
    fields: { cost: 'decimal', event_fee: 'decimal' },
  },
];
let fake: SheetsFakeServer;
afterEach(async () => fake?.close());

async function setup() {
  const long = new Date(Date.now() - 86_400_000);
  fake = await SheetsFakeServer.start({
    spreadsheets: {
      leads: {
        name: 'Leads',
        modifiedTime: long,
        tabs: { 'Marketing Source Leads': marketingLeadRows(70) },
      },
      spends: {
        name: 'Spend',
        modifiedTime: long,
        tabs: { 'All Marketing Spend': marketingSpendRows(45) },
      },
    },
  });
  const config = {
    GSHEET_SERVICE_ACCOUNT_JSON: JSON.stringify(fake.serviceAccount),
    GSHEET_TABS: JSON.stringify(TABS),
    GSHEET_BASE_URL: fake.url,
    GSHEET_DRIVE_BASE_URL: fake.url,
    GSHEET_TOKEN_URL: fake.tokenUrl,
    GSHEET_READS_PER_MINUTE: 600,
  };
  const store = new MemoryStore();
  return {
    store,
    engine: new SyncEngine({ store, progressIntervalMs: 0 }),
    config,
    plugin: createGsheetPlugin(),
  };
}

describe('SyncEngine over configured Google Sheets tabs', () => {
  it('syncs every configured tab (from config, through configureEntities), keeping every column', async () => {
    const { store, engine, config, plugin } = await setup();
    const runs = await engine.runAll({ plugin, config, options: { batchSize: 30 } });
    expect(runs.map((r) => [r.syncType, r.status, r.counts.created])).toEqual([
      ['marketing_leads', 'success', 70],
      ['marketing_spends', 'success', 45],
    ]);
    const spend = await store.getRecord('gsheet', 'marketing_spends', '2');
    expect(spend?.data).toMatchObject({
      _row: 2,
      division: expect.any(String),
      campaign_id: expect.stringMatching(/^C-/),
    });
    expect(typeof spend?.data.cost).not.toBe('undefined');
  });

  it('skips an unchanged spreadsheet without deleting anything, then applies edits and removals', async () => {
    const { store, engine, config, plugin } = await setup();
    await engine.runAll({ plugin, config });
    const reads = fake.valueReads();
    const [quiet] = await engine.runAll({ plugin, config, entities: ['marketing_leads'] });
    expect(quiet).toMatchObject({ mode: 'delta', status: 'success' });
    expect(quiet?.counts).toMatchObject({ processed: 0, deleted: 0 });
    expect(fake.valueReads()).toBe(reads);
    expect(await store.countRecords('gsheet', 'marketing_leads')).toBe(70);

    fake.setCell('leads', 'Marketing Source Leads', 4, 11, 'Booked');
    fake.deleteRow('leads', 'Marketing Source Leads', 10);
    const [edited] = await engine.runAll({ plugin, config, entities: ['marketing_leads'] });
    expect(edited?.counts).toMatchObject({ processed: 69, updated: 1, unchanged: 68, deleted: 1 });
    expect(
      (await store.getRecord('gsheet', 'marketing_leads', '100009'))?.deletedAt,
    ).toBeInstanceOf(Date);
  });
});
