import { describe, expect, it } from 'vitest';
import { DEFAULT_TABS, fieldNames, normalizeHeader, parseTabs, tabFields } from './tabs.js';

describe('configured tabs', () => {
  it('falls back to the legacy marketing leads and spends tabs', () => {
    expect(parseTabs(undefined).map((t) => t.entity)).toEqual([
      'marketing_leads',
      'marketing_spends',
    ]);
    expect(DEFAULT_TABS[1]?.range).toBe("'All Marketing Spend'");
  });

  it('parses GSHEET_TABS JSON and normalises the key column', () => {
    const tabs = parseTabs(
      '[{"entity":"leads","spreadsheetId":"abc","range":"Leads!A:Z","keyColumn":"Lead ID"}]',
    );
    expect(tabs).toEqual([
      { entity: 'leads', spreadsheetId: 'abc', range: 'Leads!A:Z', keyColumn: 'lead_id' },
    ]);
  });

  it('names the bad field of a bad tab', () => {
    expect(() => parseTabs('[{"entity":"Bad Name","spreadsheetId":"a","range":"A:Z"}]')).toThrow(
      /GSHEET_TABS\[0\]\.entity/,
    );
    expect(() => parseTabs('not json')).toThrow(/GSHEET_TABS/);
    expect(() =>
      parseTabs([{ entity: 'a', spreadsheetId: 'x', range: 'A:B', valueRenderOption: 'RAW' }]),
    ).toThrow(/valueRenderOption/);
  });

  it('turns headers into unique snake_case field names', () => {
    expect(normalizeHeader(' Campaign ID ')).toBe('campaign_id');
    expect(fieldNames(['Date', 'Cost', '', 'Cost', '2024 Budget'])).toEqual([
      'date',
      'cost',
      'column_3',
      'cost_2',
      'c_2024_budget',
    ]);
  });

  it('keys rows by the key column, or by sheet row number', () => {
    expect(
      tabFields({ entity: 'a', spreadsheetId: 'x', range: 'A:B', keyColumn: 'lead_id' }),
    ).toMatchObject({
      lead_id: { type: 'string', required: true },
    });
    expect(tabFields({ entity: 'a', spreadsheetId: 'x', range: 'A:B' })).toEqual({
      _row: { type: 'integer', required: true },
    });
  });
});
