import { type FieldSchema, type FieldType, InputError } from '@crmsync/core';

export type ValueRenderOption = 'FORMATTED_VALUE' | 'UNFORMATTED_VALUE' | 'FORMULA';

/** One configured tab: which entity it feeds and how its rows are keyed. */
export interface TabConfig {
  /** `sync_type`: lowercase letters, digits and underscores. */
  entity: string;
  spreadsheetId: string;
  /** A1 range: `Leads!A:Z`, `'Marketing Source Leads'` (whole tab). Row 1 of it is the header unless `headerRow` says otherwise. */
  range: string;
  /** Header (after normalising to snake_case) whose value keys a row; default: the sheet row number. */
  keyColumn?: string;
  /** Sheet row holding the header (1-based, default: the range's first row). */
  headerRow?: number;
  valueRenderOption?: ValueRenderOption;
  /** Types of the normalised columns; unlisted columns are strings. */
  fields?: Record<string, FieldType>;
  displayName?: string;
}

/**
 * The tabs the legacy system read: "Marketing Source Leads" and "All Marketing Spend".
 * Both were keyed by sheet row number there; rows have no id of their own.
 */
export const DEFAULT_TABS: readonly TabConfig[] = [
  {
    entity: 'marketing_leads',
    displayName: 'Marketing leads',
    spreadsheetId: '1FRKfuMSrm9DrdIe_vtZJn7usUpuXPDWl4TB1k7Ae4xo',
    range: "'Marketing Source Leads'",
    fields: { created_at: 'datetime', email: 'email', phone: 'phone' },
  },
  {
    entity: 'marketing_spends',
    displayName: 'Marketing spends',
    spreadsheetId: '17AeA4zrC4nHJrU0Z6io-9HQJITql4K-_FTMkZ5vKLqg',
    range: "'All Marketing Spend'",
    valueRenderOption: 'FORMATTED_VALUE',
    fields: {
      date: 'string',
      cost: 'decimal',
      event_start_date: 'date',
      event_end_date: 'date',
      event_fee: 'decimal',
      event_labor_cost: 'decimal',
    },
  },
];

const RENDER: readonly string[] = ['FORMATTED_VALUE', 'UNFORMATTED_VALUE', 'FORMULA'];

/** Parses `GSHEET_TABS` (JSON text or an array from the config file) into tab configs. */
export function parseTabs(raw: unknown): TabConfig[] {
  if (raw === undefined || raw === null || raw === '') return DEFAULT_TABS.map((t) => ({ ...t }));
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new InputError(
        'GSHEET_TABS',
        'a JSON array of {entity, spreadsheetId, range, keyColumn?}',
        raw,
      );
    }
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new InputError('GSHEET_TABS', 'a non-empty JSON array of tabs', value);
  }
  const seen = new Set<string>();
  return value.map((item, i) => {
    const t = item as Partial<TabConfig>;
    const at = `GSHEET_TABS[${i}]`;
    if (typeof t.entity !== 'string' || !/^[a-z][a-z0-9_]*$/.test(t.entity)) {
      throw new InputError(`${at}.entity`, 'lowercase letters, digits and underscores', t.entity);
    }
    if (seen.has(t.entity)) throw new InputError(`${at}.entity`, 'a name used once', t.entity);
    seen.add(t.entity);
    if (typeof t.spreadsheetId !== 'string' || t.spreadsheetId === '') {
      throw new InputError(
        `${at}.spreadsheetId`,
        'the id from the spreadsheet URL',
        t.spreadsheetId,
      );
    }
    if (typeof t.range !== 'string' || t.range === '') {
      throw new InputError(
        `${at}.range`,
        "an A1 range such as Leads!A:Z or 'Marketing Leads'",
        t.range,
      );
    }
    if (t.keyColumn !== undefined && typeof t.keyColumn !== 'string') {
      throw new InputError(`${at}.keyColumn`, 'a header name', t.keyColumn);
    }
    if (t.headerRow !== undefined && (!Number.isInteger(t.headerRow) || t.headerRow < 1)) {
      throw new InputError(`${at}.headerRow`, 'a row number from 1', t.headerRow);
    }
    if (t.valueRenderOption !== undefined && !RENDER.includes(t.valueRenderOption)) {
      throw new InputError(`${at}.valueRenderOption`, RENDER.join(' | '), t.valueRenderOption);
    }
    return {
      entity: t.entity,
      spreadsheetId: t.spreadsheetId,
      range: t.range,
      ...(t.keyColumn ? { keyColumn: normalizeHeader(t.keyColumn) } : {}),
      ...(t.headerRow ? { headerRow: t.headerRow } : {}),
      ...(t.valueRenderOption ? { valueRenderOption: t.valueRenderOption } : {}),
      ...(t.fields ? { fields: t.fields } : {}),
      ...(t.displayName ? { displayName: t.displayName } : {}),
    };
  });
}

/** `Campaign ID` → `campaign_id`; the field name a header becomes. */
export function normalizeHeader(header: string): string {
  const name = header
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return name === '' ? '' : /^[0-9]/.test(name) ? `c_${name}` : name;
}

/** Field names for a header row: blanks become `column_<n>`, repeats get `_2`, `_3`. */
export function fieldNames(header: readonly unknown[]): string[] {
  const used = new Map<string, number>();
  return header.map((cell, i) => {
    const base = normalizeHeader(String(cell ?? '')) || `column_${i + 1}`;
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    return n === 1 ? base : `${base}_${n}`;
  });
}

/** The row-number field every record carries; the key when no key column is configured. */
export const ROW_FIELD = '_row';

export function tabFields(tab: TabConfig): FieldSchema {
  const key = tab.keyColumn ?? ROW_FIELD;
  const fields: FieldSchema = {
    [key]: { type: key === ROW_FIELD ? 'integer' : 'string', required: true },
  };
  for (const [name, type] of Object.entries(tab.fields ?? {})) {
    if (name !== key) fields[name] = { type };
  }
  return fields;
}
