import type { FetchRequest, Logger } from '@crmsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTokenSource, type FormPost } from './auth.js';
import { type GoogleTransport, type SheetRow, SheetsClient } from './client.js';
import { marketingLeadRows, SheetsFakeServer } from './fake-server/index.js';
import { DRIVE_METADATA_SCOPE, SHEETS_READONLY_SCOPE } from './jwt.js';
import type { TabConfig } from './tabs.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
let fake: SheetsFakeServer;
afterEach(async () => fake?.close());

const post: FormPost = async (url, form, signal) => {
  const res = await fetch(url, { method: 'POST', body: form, signal });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** A plain bearer GET: these tests exercise reading and auth, not retries. */
function client(): SheetsClient {
  const tokens = createTokenSource(
    {
      kind: 'service-account',
      key: fake.serviceAccount,
      scopes: [SHEETS_READONLY_SCOPE, DRIVE_METADATA_SCOPE],
    },
    fake.tokenUrl,
    post,
  );
  const transport: GoogleTransport = async <T>(url: string, signal: AbortSignal) => {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${await tokens.token(signal)}` },
      signal,
    });
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return new SheetsClient({ baseUrl: fake.url, driveBaseUrl: fake.url, transport });
}

const tab: TabConfig = {
  entity: 'marketing_leads',
  spreadsheetId: 'leads',
  range: "'Marketing Leads'!A:Z",
  keyColumn: 'lead_id',
};

function request(overrides: Partial<FetchRequest> = {}): FetchRequest {
  return {
    mode: 'full',
    batchSize: 40,
    signal: new AbortController().signal,
    options: {},
    logger: quiet,
    ...overrides,
  };
}

async function collect(iterable: AsyncIterable<{ records: SheetRow[]; notModified?: boolean }>) {
  const records: SheetRow[] = [];
  const pages = [];
  for await (const page of iterable) {
    pages.push(page);
    records.push(...page.records);
  }
  return { records, pages };
}

describe('SheetsClient', () => {
  it('reads a tab in row windows, keyed by header, with short rows padded', async () => {
    fake = await SheetsFakeServer.start({
      spreadsheets: {
        leads: {
          name: 'Leads',
          modifiedTime: new Date(),
          tabs: { 'Marketing Leads': marketingLeadRows(100) },
        },
      },
    });
    const { records, pages } = await collect(client().readTab(tab, request()));
    expect(records).toHaveLength(100);
    expect(pages[0]?.records).toHaveLength(40);
    expect(records[0]).toMatchObject({
      _row: 2,
      lead_id: '100001',
      email: 'lead1@example.com',
      notes: null,
    });
    expect(Object.keys(records[0] ?? {})).toHaveLength(13);
  });

  it('skips blank rows in the middle and keeps reading past them', async () => {
    const rows = marketingLeadRows(10);
    rows.splice(5, 0, [], []);
    fake = await SheetsFakeServer.start({
      spreadsheets: {
        leads: { name: 'Leads', modifiedTime: new Date(), tabs: { 'Marketing Leads': rows } },
      },
    });
    const { records } = await collect(client().readTab(tab, request({ batchSize: 3 })));
    expect(records).toHaveLength(10);
    expect(records.map((r) => r._row)).toContain(13);
  });

  it('reads nothing and says notModified when Drive says the file has not changed since the delta start', async () => {
    fake = await SheetsFakeServer.start({
      spreadsheets: {
        leads: {
          name: 'Leads',
          modifiedTime: new Date(Date.now() - 3_600_000),
          tabs: { 'Marketing Leads': marketingLeadRows(5) },
        },
      },
    });
    const skipped = await collect(
      client().readTab(tab, request({ mode: 'delta', since: new Date(Date.now() - 60_000) })),
    );
    expect(skipped.pages).toEqual([
      { records: [], notModified: true, marks: { modifiedTime: expect.any(String) } },
    ]);
    expect(fake.valueReads()).toBe(0);
    fake.setCell('leads', 'Marketing Leads', 3, 3, 'Changed');
    const read = await collect(
      client().readTab(tab, request({ mode: 'delta', since: new Date(Date.now() - 60_000) })),
    );
    expect(read.records.find((r) => r._row === 3)?.first_name).toBe('Changed');
  });

  it('fails with the range and spreadsheet when the tab does not exist', async () => {
    fake = await SheetsFakeServer.start({
      spreadsheets: {
        leads: { name: 'Leads', modifiedTime: new Date(), tabs: { Other: [['a']] } },
      },
    });
    await expect(collect(client().readTab(tab, request()))).rejects.toThrow(
      /names no tab of spreadsheet leads/,
    );
  });
});
