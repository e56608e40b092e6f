import { createRequestMetrics, type RequestBudgets, SyncEngine } from '@crmsync/core';
import { MemoryStore } from '@crmsync/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { marketingLeadRows, SheetsFakeServer } from './fake-server/index.js';
import { createGsheetPlugin } from './index.js';
import type { TabConfig } from './tabs.js';

const TAB: TabConfig = {
  entity: 'marketing_leads',
  spreadsheetId: 'leads',
  range: "'Marketing Source Leads'",
  keyColumn: 'lead_id',
};
let fake: SheetsFakeServer;
afterEach(async () => fake?.close());

async function start(rows: number, modifiedTime: Date) {
  fake = await SheetsFakeServer.start({
    spreadsheets: {
      leads: {
        name: 'Leads',
        modifiedTime,
        tabs: { 'Marketing Source Leads': marketingLeadRows(rows) },
      },
    },
  });
  return {
    GSHEET_SERVICE_ACCOUNT_JSON: JSON.stringify(fake.serviceAccount),
    GSHEET_TABS: JSON.stringify([TAB]),
    GSHEET_BASE_URL: fake.url,
    GSHEET_DRIVE_BASE_URL: fake.url,
    GSHEET_TOKEN_URL: fake.tokenUrl,
    GSHEET_READS_PER_MINUTE: 600,
  };
}

describe('Google Sheets reads as the quota counts them', () => {
  it('skips a spreadsheet edited a minute ago once a complete read has seen that edit', async () => {
    const config = await start(40, new Date(Date.now() - 60_000));
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, progressIntervalMs: 0 });
    const plugin = createGsheetPlugin();
    const first = await engine.runEntity({ plugin, entity: 'marketing_leads', config });
    expect(first).toMatchObject({ status: 'success', counts: { created: 40 } });
    const reads = fake.valueReads();
    // Within the delta overlap of that edit: Drive's modifiedTime is the one already read.
    const second = await engine.runEntity({ plugin, entity: 'marketing_leads', config });
    expect(second).toMatchObject({ mode: 'delta', status: 'success', counts: { processed: 0 } });
    expect(fake.valueReads()).toBe(reads);
    // An edit moves it: the next run reads again.
    fake.setCell('leads', 'Marketing Source Leads', 4, 11, 'Booked');
    const third = await engine.runEntity({ plugin, entity: 'marketing_leads', config });
    expect(third.counts).toMatchObject({ processed: 40, updated: 1 });
  });

  it('a dry run leaves no mark: the next real run still reads', async () => {
    const config = await start(10, new Date(Date.now() - 60_000));
    const store = new MemoryStore();
    const engine = new SyncEngine({ store, progressIntervalMs: 0 });
    const plugin = createGsheetPlugin();
    await engine.runEntity({
      plugin,
      entity: 'marketing_leads',
      config,
      options: { dryRun: true },
    });
    expect(await store.sourceMarks.get('gsheet', 'marketing_leads')).toEqual({});
    const real = await engine.runEntity({ plugin, entity: 'marketing_leads', config });
    expect(real.counts.created).toBe(10);
  });

  it('reads a 2,000-row tab in a handful of requests, not one per 100 rows', async () => {
    const config = await start(2_000, new Date(Date.now() - 86_400_000));
    const engine = new SyncEngine({ store: new MemoryStore(), progressIntervalMs: 0 });
    const run = await engine.runEntity({
      plugin: createGsheetPlugin(),
      entity: 'marketing_leads',
      config,
    });
    expect(run.counts.created).toBe(2_000);
    // The tab list, the header row, the key column (to find the last row), and one window of
    // 5,000 rows — where windows of 100 rows took 23.
    expect(fake.valueReads()).toBe(4);
  });

  it('takes every request of every client reading as one Google user from one shared budget', async () => {
    const config = await start(30, new Date(Date.now() - 86_400_000));
    const taken: string[] = [];
    const store = new MemoryStore();
    const budgets: RequestBudgets = {
      take: (key, limit, windowMs, now) => {
        taken.push(`${key} ${limit}/${windowMs}`);
        return store.requestBudgets.take(key, limit, windowMs, now);
      },
    };
    const plugin = createGsheetPlugin([TAB]);
    const entity = plugin.entities[0];
    // Two clients, as two processes would make them, on one store's budgets.
    for (let i = 0; i < 2; i++) {
      const client = await plugin.createClient({
        config: { ...config, GSHEET_READS_PER_MINUTE: 60 },
        logger: { debug() {}, info() {}, warn() {}, error() {}, child: () => undefined as never },
        metrics: createRequestMetrics(),
        signal: new AbortController().signal,
        requestBudgets: budgets,
      });
      const request = {
        mode: 'full' as const,
        batchSize: 100,
        signal: new AbortController().signal,
        options: {},
        logger: { debug() {}, info() {}, warn() {}, error() {}, child: () => undefined as never },
      };
      for await (const _ of entity?.fetch(client, request) ?? []);
    }
    const key = `gsheet:reads:${fake.serviceAccount.client_email} 60/60000`;
    expect(taken.length).toBeGreaterThanOrEqual(8);
    expect(new Set(taken)).toEqual(new Set([key]));
    // Both clients' requests counted in one window of the shared budget.
    expect(
      await store.requestBudgets.take(
        `gsheet:reads:${fake.serviceAccount.client_email}`,
        taken.length,
        60_000,
      ),
    ).toBeGreaterThan(0);
  });
});
