import type { TabConfig } from '../tabs.js';
import { MARKETING_LEADS_HEADER, marketingLeadRows } from './data.js';
import { type Cell, SheetsFakeServer } from './server.js';

export const KIT_SPREADSHEET = 'kit-leads';
export const KIT_TAB: TabConfig = {
  entity: 'marketing_leads',
  spreadsheetId: KIT_SPREADSHEET,
  range: "'Marketing Leads'!A:L",
  keyColumn: 'lead_id',
  fields: { created_at: 'datetime', email: 'email', first_name: 'string', status: 'string' },
};
const TAB = 'Marketing Leads';
const col = (name: string) => MARKETING_LEADS_HEADER.indexOf(name) + 1;

/**
 * What the plugin test kit needs from Google Sheets: a fake spreadsheet with `size` leads
 * (the kit's entity is `marketing_leads`, keyed by `lead_id`), edits that move Drive's
 * modifiedTime, quota and 5xx faults, and the row windows the plugin asked for.
 */
export async function startGsheetKitFixture(options: { size: number }) {
  const fake = await SheetsFakeServer.start({
    spreadsheets: {
      [KIT_SPREADSHEET]: {
        name: 'Leads',
        modifiedTime: new Date(),
        tabs: { [TAB]: marketingLeadRows(options.size) },
      },
    },
  });
  const rows = () => fake.spreadsheets[KIT_SPREADSHEET]?.tabs[TAB] ?? [];
  const leadId = (row: Cell[]) => {
    const cell = row[0];
    return String(typeof cell === 'object' && cell !== null ? cell.value : cell);
  };
  let next = options.size + 1;

  return {
    fake,
    config: {
      GSHEET_SERVICE_ACCOUNT_JSON: JSON.stringify(fake.serviceAccount),
      GSHEET_TABS: JSON.stringify([KIT_TAB]),
      GSHEET_BASE_URL: fake.url,
      GSHEET_DRIVE_BASE_URL: fake.url,
      GSHEET_TOKEN_URL: fake.tokenUrl,
      GSHEET_READS_PER_MINUTE: 600,
    },
    pluginOptions: {},
    // A service account Google does not know: the token exchange refuses its signed JWT.
    badCredentials: {
      GSHEET_SERVICE_ACCOUNT_JSON: JSON.stringify({
        ...fake.serviceAccount,
        client_email: 'stranger@crmsync-test.iam.gserviceaccount.com',
      }),
    },
    async mutate(count: number): Promise<string[]> {
      return rows()
        .slice(1, 1 + count)
        .map((row, i) => {
          fake.setCell(KIT_SPREADSHEET, TAB, i + 2, col('status'), `Changed ${Date.now()}`);
          return leadId(row);
        });
    },
    async addRecords(count: number, at: Date): Promise<string[]> {
      const added = marketingLeadRows(count, next, at.getTime());
      for (const row of added)
        row[col('created_at') - 1] = at.toISOString().slice(0, 19).replace('T', ' ');
      next += count;
      fake.setRows(KIT_SPREADSHEET, TAB, [...rows(), ...added]);
      return added.map(leadId);
    },
    /**
     * Retitles the last column, as a sheet's owner making a column of their own (the plugin
     * names fields after the header), and fills it in for `ids`.
     */
    async setCustomField(ids: string[], value: string): Promise<string> {
      fake.setCell(KIT_SPREADSHEET, TAB, 1, col('notes'), 'Kit Custom');
      rows().forEach((row, i) => {
        if (i > 0 && ids.includes(leadId(row)))
          fake.setCell(KIT_SPREADSHEET, TAB, i + 1, col('notes'), value);
      });
      return 'kit_custom';
    },
    /** Deletes the first data rows, as someone removing leads from the sheet would. */
    async remove(count: number): Promise<string[]> {
      const ids = rows()
        .slice(1, 1 + count)
        .map(leadId);
      for (let i = 0; i < count; i++) fake.deleteRow(KIT_SPREADSHEET, TAB, 2);
      return ids;
    },
    /** Makes the email of the last `count` rows something that is not an email. */
    async corrupt(count: number): Promise<string[]> {
      const all = rows();
      return all.slice(-count).map((row, i) => {
        fake.setCell(
          KIT_SPREADSHEET,
          TAB,
          all.length - count + i + 1,
          col('email'),
          'not-an-email',
        );
        return leadId(row);
      });
    },
    injectFault(
      fault:
        | { kind: 'rate-limit'; retryAfterSeconds: number }
        | { kind: 'server-error'; count: number },
    ) {
      fake.injectFault(
        fault.kind === 'rate-limit'
          ? { kind: 'rate-limit' }
          : { kind: 'server-error', count: fault.count },
      );
    },
    /** Rows per data window (`A2:L41` → 40); the header and key-column reads are not pages. */
    requestedPageSizes(): number[] {
      return fake.requests
        .filter((r) => r.path.includes('/values/') && r.status === 200)
        .map((r) => /!A(\d+):L(\d+)$/.exec(decodeURIComponent(r.path.split('/values/')[1] ?? '')))
        .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) > 1)
        .map((m) => Number(m[2]) - Number(m[1]) + 1);
    },
    close: () => fake.close(),
  };
}
